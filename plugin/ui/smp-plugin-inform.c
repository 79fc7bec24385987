/* smp-plugin-inform.c: the result box of interactive runs (calibration, export,
 * matched look): information, not a warning, unless something needs attention. */
#include "smp-plugin-inform.h"

#include <libgimp/gimpui.h>

#include "smp-plugin-common.h"

void
smp_plugin_inform (gboolean warning, const char *title, const char *primary, const char *secondary)
{
  GtkWidget *box;

  g_return_if_fail (title != NULL && primary != NULL);
  gimp_ui_init (SMP_PLUGIN_BINARY); /* once per process; a no-op after a dialog's */
  box = gtk_message_dialog_new (NULL, GTK_DIALOG_MODAL, warning ? GTK_MESSAGE_WARNING : GTK_MESSAGE_INFO,
                                GTK_BUTTONS_OK, "%s", primary);
  gtk_window_set_title (GTK_WINDOW (box), title);
  gtk_window_set_position (GTK_WINDOW (box), GTK_WIN_POS_CENTER); /* no parent window to centre on */
  if (secondary)
    gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (box), "%s", secondary);
  gtk_dialog_run (GTK_DIALOG (box));
  gtk_widget_destroy (box);
}
