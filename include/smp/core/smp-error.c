/* smp-error.c: the engine's error domain.
 * One quark so callers can tell engine errors apart. */
#include <smp/smp-error.h>

G_DEFINE_QUARK (smp-error-quark, smp_error)
