/* vmem-private.h: internal helpers shared across the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean _vmem_size_from_strings (const char  *number,
                                  const char  *unit,
                                  const char  *default_unit,
                                  guint64     *out_bytes,
                                  GError     **error);

void     _vmem_error_set_libvirt (GError      *error,
                                  int          code,
                                  int          domain);

/* g_set_str() arrived in GLib 2.76. */
static inline gboolean
_vmem_set_str (char       **str_pointer,
               const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;
  return TRUE;
}

G_END_DECLS
