/* smp-proposal.h: the stored proposal record: everything a proposal remembers
 * (design, path, look, scale, area, counts, shade, extent, checks), versioned. */
#pragma once

#include <glib.h>
#include "smp-params.h"
#include "smp-face.h"
#include "smp-head.h"

G_BEGIN_DECLS

/* Version 1: written before 0.1.0 ([SMP Design], [SMP Proposal], [SMP Checks]).
 * Version 2: adds `complete` (a run writes it last, so a killed run is
 * recognisable) and the treated area (`area_channel`, `area_bounds`). Both read; newer versions are refused. Within a known version,
 * unknown keys and groups are ignored and not written back. */
#define SMP_PROPOSAL_VERSION 2

/* Bounds on what a record may hold: a record comes from an image, which may come
 * from anyone. Longer names are refused; longer check messages are cut. */
#define SMP_PROPOSAL_MAX_BYTES     (256 * 1024)
#define SMP_PROPOSAL_MAX_NAME      1024
#define SMP_PROPOSAL_MAX_MESSAGE   240
#define SMP_PROPOSAL_MAX_COORD     (1 << 24)
#define SMP_PROPOSAL_MAX_AREA_CM2  1.0e5
#define SMP_PROPOSAL_MAX_DOTS      ((gint64) 1 << 40)

typedef enum
{
  SMP_SCALE_FROM_ARGUMENT,    /* typed in: px-per-mm */
  SMP_SCALE_FROM_CALIBRATION, /* the image's calibration */
  SMP_SCALE_FROM_FALLBACK,    /* neither: a guess */
} SmpScaleSource;

typedef struct
{
  SmpParams      params;
  char          *path_name;        /* the hairline path ("" unknown) */
  char          *preset_id;        /* the look it started from ("" none) */
  SmpScaleSource scale_source;
  double         treated_area_cm2;
  gint64         total_dots;
  gint64         dots_per_session[SMP_MAX_SESSIONS];
  gboolean       has_shade_srgb;
  guint8         shade_srgb[3];    /* the pigment as the artist chose it */
  gboolean       has_extent;
  int            extent[4];        /* x, y, width, height of the layers, image px */
  gboolean       complete;         /* FALSE: a run stopped half-way */
  char          *area_channel;     /* the channel holding the treated area ("" none) */
  gboolean       has_area_bounds;
  int            area_bounds[4];   /* x, y, width, height of that area, image px */
  /* [SMP Checks] */
  gboolean       checks_ran;
  guint          checks_run;       /* SMP_FACE_CHECK_BIT()s of the checks that ran */
  char          *check_messages[SMP_FACE_N_CHECKS]; /* NULL: no finding */
  gboolean       face_frame;
  gboolean       feminine;
  /* [SMP Head Model], present when the design lay on a fitted head (optional
   * within version 2: older readers ignore the group). */
  gboolean       on_head;
  SmpHeadModel   head;             /* valid when on_head; image px */
} SmpProposal;

SmpProposal *smp_proposal_new  (void); /* defaults, complete, no checks */
void         smp_proposal_free (SmpProposal *proposal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpProposal, smp_proposal_free)

const char  *smp_scale_source_to_string  (SmpScaleSource source);

/* Sets a check's message (NULL: none), cut to SMP_PROPOSAL_MAX_MESSAGE with an ellipsis. */
void         smp_proposal_set_check      (SmpProposal *proposal, int check, const char *message);

/* The record as key-file text (always the current version). */
char        *smp_proposal_to_string      (const SmpProposal *proposal);
/* Reads any known version; FALSE with the key named on anything out of bounds. */
SmpProposal *smp_proposal_from_string    (const char *text, gsize length, GError **error);

G_END_DECLS
