/* smp-bench-floor.c: the e2e benchmark's floor writer, plug-in-smp-bench-floor: writes N new
 * full layers the way plug-in-smp-hairline writes its session layers, with no engine behind them. */
#include <libgimp/gimp.h>

#define FLOOR_PROC "plug-in-smp-bench-floor"
#define FLOOR_ROWS 64 /* rows per gegl_buffer_set: a band of tiles, as the real run writes in chunks */

typedef struct { GimpPlugIn parent_instance; } SmpBenchFloor;
typedef struct { GimpPlugInClass parent_class; } SmpBenchFloorClass;

GType smp_bench_floor_get_type (void);
G_DEFINE_TYPE (SmpBenchFloor, smp_bench_floor, GIMP_TYPE_PLUG_IN)

static GList *
floor_query (GimpPlugIn *plug_in)
{
  (void) plug_in;
  return g_list_append (NULL, g_strdup (FLOOR_PROC));
}

/* Layers of width × height in the image's layer type with alpha, hidden while written, Normal
 * mode, in a pass-through group on top, one undo group; shown at the end like the real run. */
static gboolean
floor_i18n (GimpPlugIn *plug_in, const gchar *name, gchar **domain, gchar **catalog)
{
  (void) plug_in, (void) name, (void) domain, (void) catalog;
  return FALSE; /* nothing to translate */
}

static GimpValueArray *
floor_run (GimpProcedure *procedure, GimpProcedureConfig *config, gpointer data)
{
  (void) data;
  GimpImage *image = NULL;
  gint n_layers = 0, width = 0, height = 0;
  g_object_get (config, "image", &image, "layers", &n_layers, "width", &width, "height", &height, NULL);
  if (!image)
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_CALLING_ERROR,
                                             g_error_new_literal (GIMP_PLUG_IN_ERROR, 0, "no image"));
  GimpImageType type = gimp_image_get_base_type (image) == GIMP_GRAY ? GIMP_GRAYA_IMAGE : GIMP_RGBA_IMAGE;

  gimp_image_undo_group_start (image);
  GimpGroupLayer *group = gimp_group_layer_new (image, "Floor writer");
  gimp_layer_set_mode (GIMP_LAYER (group), GIMP_LAYER_MODE_PASS_THROUGH);
  gimp_image_insert_layer (image, GIMP_LAYER (group), NULL, 0);

  GPtrArray *written = g_ptr_array_new ();
  guchar    *band = NULL;
  for (gint k = 0; k < n_layers; k++)
    {
      g_autofree gchar *name = g_strdup_printf ("Floor %d", k + 1);
      GimpLayer *layer = gimp_layer_new (image, name, width, height, type, 100.0, GIMP_LAYER_MODE_NORMAL);
      gimp_item_set_visible (GIMP_ITEM (layer), FALSE);
      gimp_image_insert_layer (image, layer, GIMP_LAYER (group), 0);
      GeglBuffer *buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
      const Babl *format = gegl_buffer_get_format (buffer);
      const gsize bpp = (gsize) babl_format_get_bytes_per_pixel (format);
      const gsize rowstride = bpp * (gsize) width;
      if (!band)
        {
          /* A cheap pattern, not a constant: a uniform buffer could share tiles. */
          band = g_malloc (rowstride * FLOOR_ROWS);
          for (gsize i = 0; i < rowstride * FLOOR_ROWS; i++)
            band[i] = (guchar) (i * 7u + 3u);
        }
      for (gint y = 0; y < height; y += FLOOR_ROWS)
        gegl_buffer_set (buffer, GEGL_RECTANGLE (0, y, width, MIN (FLOOR_ROWS, height - y)), 0, format, band,
                         (gint) rowstride);
      gegl_buffer_flush (buffer);
      g_object_unref (buffer);
      g_ptr_array_add (written, layer);
    }
  for (guint i = 0; i < written->len; i++)
    gimp_item_set_visible (GIMP_ITEM (written->pdata[i]), TRUE);
  gimp_image_undo_group_end (image);
  g_ptr_array_unref (written);
  g_free (band);
  g_object_unref (image);
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
}

static GimpProcedure *
floor_create (GimpPlugIn *plug_in, const gchar *name)
{
  if (g_strcmp0 (name, FLOOR_PROC) != 0)
    return NULL;
  GimpProcedure *procedure = gimp_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN, floor_run, NULL, NULL);
  gimp_procedure_set_documentation (procedure, "Benchmark floor writer",
                                    "Writes N full layers as the hairline run does, without an engine", name);
  gimp_procedure_set_attribution (procedure, "smp-hairline", "smp-hairline", "2026");
  gimp_procedure_add_image_argument (procedure, "image", "Image", "Image", FALSE, G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "layers", "Layers", "Layers to write", 0, 64, 1, G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "width", "Width", "Layer width", 1, 524288, 1, G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "height", "Height", "Layer height", 1, 524288, 1, G_PARAM_READWRITE);
  return procedure;
}

static void
smp_bench_floor_class_init (SmpBenchFloorClass *klass)
{
  GimpPlugInClass *plug_in_class = GIMP_PLUG_IN_CLASS (klass);
  plug_in_class->query_procedures = floor_query;
  plug_in_class->create_procedure = floor_create;
  plug_in_class->set_i18n         = floor_i18n;
}

static void
smp_bench_floor_init (SmpBenchFloor *self)
{
  (void) self;
}

GIMP_MAIN (smp_bench_floor_get_type ())
