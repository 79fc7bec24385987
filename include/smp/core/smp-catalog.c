/* smp-catalog.c: a reader for compiled gettext catalogs (.mo) and their plural
 * rule, so one text can be looked up in a language the process is not running in. */
#include <smp/smp-catalog.h>
#include <smp/smp-error.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#define MO_MAGIC 0x950412deu
#define MO_MAX_BYTES (16u << 20)

struct _SmpCatalog
{
  char       *language;
  char       *data;     /* the file; every key and value points into it */
  gsize       size;
  GHashTable *messages; /* msgid → translation (plural forms NUL-separated) */
  GHashTable *lengths;  /* msgid → GSIZE_TO_POINTER (length of the translation) */
  char       *plural;   /* the Plural-Forms expression, NULL: English rule */
  gulong      nplurals;
};

static guint32
read_u32 (const char *data, gsize at, gboolean swap)
{
  guint32 v;

  memcpy (&v, data + at, 4);
  return swap ? GUINT32_SWAP_LE_BE (v) : v;
}

/* One string of a table: TRUE when it lies inside the file and ends in NUL. */
static gboolean
read_entry (const SmpCatalog *c, guint32 table, guint32 i, gboolean swap, const char **str, gsize *len)
{
  guint64 at = (guint64) table + 8u * i;
  guint32 n, off;

  if (at + 8 > c->size)
    return FALSE;
  n = read_u32 (c->data, at, swap);
  off = read_u32 (c->data, at + 4, swap);
  if ((guint64) off + n + 1 > c->size || c->data[off + n] != '\0')
    return FALSE;
  *str = c->data + off;
  *len = n;
  return TRUE;
}

/* --- the plural rule: gettext's C subset (n, numbers, ! * / % + - < > <= >=
 * == != && || ?: and parentheses), evaluated by recursive descent. --- */

typedef struct
{
  const char *p;
  gulong      n;
  gboolean    bad;
  int         depth;
} PluralParser;

static gulong plural_ternary (PluralParser *pp);

static void
skip_space (PluralParser *pp)
{
  while (*pp->p == ' ' || *pp->p == '\t' || *pp->p == '\n')
    pp->p++;
}

static gboolean
accept (PluralParser *pp, const char *tok)
{
  gsize len = strlen (tok);

  skip_space (pp);
  if (strncmp (pp->p, tok, len) != 0)
    return FALSE;
  /* "<" must not take the first half of "<=", "!" of "!=". */
  if (len == 1 && (tok[0] == '<' || tok[0] == '>' || tok[0] == '!' || tok[0] == '=') && pp->p[1] == '=')
    return FALSE;
  pp->p += len;
  return TRUE;
}

static gulong
plural_primary (PluralParser *pp)
{
  skip_space (pp);
  if (++pp->depth > 64)
    {
      pp->bad = TRUE;
      return 0;
    }
  if (accept (pp, "("))
    {
      gulong v = plural_ternary (pp);

      if (!accept (pp, ")"))
        pp->bad = TRUE;
      pp->depth--;
      return v;
    }
  if (accept (pp, "!"))
    {
      gulong v = !plural_primary (pp);

      pp->depth--;
      return v;
    }
  pp->depth--;
  if (*pp->p == 'n')
    {
      pp->p++;
      return pp->n;
    }
  if (g_ascii_isdigit (*pp->p))
    {
      char *end;
      gulong v = strtoul (pp->p, &end, 10);

      pp->p = end;
      return v;
    }
  pp->bad = TRUE;
  return 0;
}

static gulong
plural_mul (PluralParser *pp)
{
  gulong v = plural_primary (pp);

  for (;;)
    {
      if (accept (pp, "*"))
        v *= plural_primary (pp);
      else if (accept (pp, "/") || accept (pp, "%"))
        {
          char   op = pp->p[-1];
          gulong d = plural_primary (pp);

          if (d == 0)
            {
              pp->bad = TRUE;
              return 0;
            }
          v = op == '/' ? v / d : v % d;
        }
      else
        return v;
    }
}

static gulong
plural_add (PluralParser *pp)
{
  gulong v = plural_mul (pp);

  for (;;)
    {
      if (accept (pp, "+"))
        v += plural_mul (pp);
      else if (accept (pp, "-"))
        v -= plural_mul (pp);
      else
        return v;
    }
}

static gulong
plural_rel (PluralParser *pp)
{
  gulong v = plural_add (pp);

  for (;;)
    {
      if (accept (pp, "<="))
        v = v <= plural_add (pp);
      else if (accept (pp, ">="))
        v = v >= plural_add (pp);
      else if (accept (pp, "<"))
        v = v < plural_add (pp);
      else if (accept (pp, ">"))
        v = v > plural_add (pp);
      else
        return v;
    }
}

static gulong
plural_eq (PluralParser *pp)
{
  gulong v = plural_rel (pp);

  for (;;)
    {
      if (accept (pp, "=="))
        v = v == plural_rel (pp);
      else if (accept (pp, "!="))
        v = v != plural_rel (pp);
      else
        return v;
    }
}

static gulong
plural_and (PluralParser *pp)
{
  gulong v = plural_eq (pp);

  while (accept (pp, "&&"))
    {
      gulong w = plural_eq (pp);

      v = v && w;
    }
  return v;
}

static gulong
plural_or (PluralParser *pp)
{
  gulong v = plural_and (pp);

  while (accept (pp, "||"))
    {
      gulong w = plural_and (pp);

      v = v || w;
    }
  return v;
}

static gulong
plural_ternary (PluralParser *pp)
{
  gulong c = plural_or (pp);

  if (accept (pp, "?"))
    {
      gulong a = plural_ternary (pp);
      gulong b;

      if (!accept (pp, ":"))
        {
          pp->bad = TRUE;
          return 0;
        }
      b = plural_ternary (pp);
      return c ? a : b;
    }
  return c;
}

/* The form index for `n`; the English rule when the catalog has none or it is broken. */
static gulong
plural_index (const SmpCatalog *c, gulong n)
{
  PluralParser pp = { c->plural, n, FALSE, 0 };
  gulong       v;

  if (!c->plural)
    return n != 1;
  v = plural_ternary (&pp);
  skip_space (&pp);
  if (pp.bad || (*pp.p && *pp.p != ';') || v >= c->nplurals)
    return n != 1;
  return v;
}

/* Plural-Forms: nplurals=2; plural=(n > 1); from the header (the translation of ""). */
static void
read_header (SmpCatalog *c, const char *header)
{
  const char *pf = strstr (header, "Plural-Forms:");
  const char *np, *pl, *eol;

  if (!pf)
    return;
  eol = strchr (pf, '\n');
  np = strstr (pf, "nplurals=");
  pl = strstr (pf, "plural=");
  if (!np || !pl || (eol && (np > eol || pl > eol)))
    return;
  c->nplurals = strtoul (np + strlen ("nplurals="), NULL, 10);
  if (c->nplurals < 1 || c->nplurals > 16)
    return;
  c->plural = g_strndup (pl + strlen ("plural="),
                         eol ? (gsize) (eol - pl) - strlen ("plural=") : strlen (pl + strlen ("plural=")));
}

void
smp_catalog_free (SmpCatalog *catalog)
{
  if (!catalog)
    return;
  g_clear_pointer (&catalog->messages, g_hash_table_unref);
  g_clear_pointer (&catalog->lengths, g_hash_table_unref);
  g_free (catalog->plural);
  g_free (catalog->data);
  g_free (catalog->language);
  g_free (catalog);
}

static SmpCatalog *
catalog_empty (const char *language)
{
  SmpCatalog *c = g_new0 (SmpCatalog, 1);

  c->language = g_strdup (language);
  c->messages = g_hash_table_new (g_str_hash, g_str_equal);
  c->lengths = g_hash_table_new (g_str_hash, g_str_equal);
  return c;
}

SmpCatalog *
smp_catalog_new_from_file (const char *mo_path, GError **error)
{
  g_autoptr (SmpCatalog) c = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *base = NULL;
  guint32 magic, count, originals, translations;
  gboolean swap;

  g_return_val_if_fail (mo_path != NULL, NULL);

  base = g_path_get_basename (mo_path);
  c = catalog_empty (base);
  if (!g_file_get_contents (mo_path, &c->data, &c->size, &local))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "%s", local->message);
      return NULL;
    }
  if (c->size < 20 || c->size > MO_MAX_BYTES)
    goto bad;
  memcpy (&magic, c->data, 4);
  if (magic == MO_MAGIC)
    swap = FALSE;
  else if (GUINT32_SWAP_LE_BE (magic) == MO_MAGIC)
    swap = TRUE;
  else
    goto bad;
  count = read_u32 (c->data, 8, swap);
  originals = read_u32 (c->data, 12, swap);
  translations = read_u32 (c->data, 16, swap);
  if (count > c->size / 16)
    goto bad;
  for (guint32 i = 0; i < count; i++)
    {
      const char *msgid, *msgstr;
      gsize       id_len, str_len;

      if (!read_entry (c, originals, i, swap, &msgid, &id_len)
          || !read_entry (c, translations, i, swap, &msgstr, &str_len))
        goto bad;
      if (*msgid == '\0')
        read_header (c, msgstr);
      else if (str_len > 0)
        {
          g_hash_table_insert (c->messages, (gpointer) msgid, (gpointer) msgstr);
          g_hash_table_insert (c->lengths, (gpointer) msgid, GSIZE_TO_POINTER (str_len));
        }
    }
  return g_steal_pointer (&c);

bad:
  g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("“%s” is not a compiled message catalog (.mo)"),
               mo_path);
  return NULL;
}

static gboolean
is_english (const char *language)
{
  return !g_ascii_strcasecmp (language, "C") || !g_ascii_strcasecmp (language, "POSIX")
         || (!g_ascii_strncasecmp (language, "en", 2) && (language[2] == '\0' || language[2] == '_'));
}

SmpCatalog *
smp_catalog_new_for_language (const char *locale_dir,
                              const char *domain,
                              const char *language,
                              GError    **error)
{
  g_autofree char *lang = NULL;
  g_autofree char *mo = NULL;
  g_autofree char *avail = NULL;
  g_auto (GStrv) names = NULL;
  char *cut;

  g_return_val_if_fail (locale_dir != NULL && domain != NULL && language != NULL, NULL);

  /* pt-BR, pt_BR.UTF-8 and pt_BR@euro all mean pt_BR. */
  lang = g_strdelimit (g_strdup (language), "-", '_');
  if ((cut = strpbrk (lang, ".@")))
    *cut = '\0';
  if (is_english (lang))
    return catalog_empty ("en");
  for (int pass = 0; pass < 2 && *lang && !strpbrk (lang, "/\\"); pass++)
    {
      g_free (mo);
      mo = g_strdup_printf ("%s/%s/LC_MESSAGES/%s.mo", locale_dir, lang, domain);
      if (g_file_test (mo, G_FILE_TEST_IS_REGULAR))
        {
          SmpCatalog *c = smp_catalog_new_from_file (mo, error);

          if (c)
            {
              g_free (c->language);
              c->language = g_strdup (lang);
            }
          return c;
        }
      if (!(cut = strchr (lang, '_')))
        break;
      *cut = '\0';
    }
  names = smp_catalog_list_languages (locale_dir, domain);
  avail = g_strjoinv (", ", names);
  g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
               _("There is no “%s” translation; installed languages: %s"), language, avail);
  return NULL;
}

const char *
smp_catalog_get_language (const SmpCatalog *catalog)
{
  g_return_val_if_fail (catalog != NULL, NULL);
  return catalog->language;
}

const char *
smp_catalog_gettext (const SmpCatalog *catalog, const char *msgid)
{
  const char *s;

  g_return_val_if_fail (msgid != NULL, NULL);
  if (!catalog)
    return g_dgettext (GETTEXT_PACKAGE, msgid);
  s = g_hash_table_lookup (catalog->messages, msgid);
  return s ? s : msgid;
}

const char *
smp_catalog_ngettext (const SmpCatalog *catalog, const char *msgid, const char *msgid_plural, gulong n)
{
  const char *s, *end;
  gulong      k;

  g_return_val_if_fail (msgid != NULL && msgid_plural != NULL, NULL);
  if (!catalog)
    return g_dngettext (GETTEXT_PACKAGE, msgid, msgid_plural, n);
  s = g_hash_table_lookup (catalog->messages, msgid);
  if (!s)
    return n == 1 ? msgid : msgid_plural;
  /* The forms are NUL-separated within the translation's length. */
  end = s + GPOINTER_TO_SIZE (g_hash_table_lookup (catalog->lengths, msgid));
  for (k = plural_index (catalog, n); k > 0; k--)
    {
      s += strlen (s) + 1;
      if (s >= end)
        return n == 1 ? msgid : msgid_plural;
    }
  return s;
}

static int
compare_languages (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char **
smp_catalog_list_languages (const char *locale_dir, const char *domain)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  g_autoptr (GDir) dir = NULL;
  g_autofree char *mo_name = NULL;
  const char *name;

  g_return_val_if_fail (locale_dir != NULL && domain != NULL, NULL);

  mo_name = g_strconcat (domain, ".mo", NULL);
  dir = g_dir_open (locale_dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *mo = g_build_filename (locale_dir, name, "LC_MESSAGES", mo_name, NULL);

      if (g_file_test (mo, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (out, g_strdup (name));
    }
  g_ptr_array_sort (out, compare_languages);
  g_ptr_array_insert (out, 0, g_strdup ("en"));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
