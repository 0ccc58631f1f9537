/* vmem-size.h: sizes and libvirt's units
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <glib.h>

#include "vmem-version-macros.h"

G_BEGIN_DECLS

VMEM_AVAILABLE_IN_0_1
gboolean  vmem_size_scale  (guint64       value,
                            const char   *unit,
                            guint64      *out_bytes,
                            GError      **error);
VMEM_AVAILABLE_IN_0_1
gboolean  vmem_size_parse  (const char   *text,
                            guint64      *out_bytes,
                            GError      **error);
VMEM_AVAILABLE_IN_0_1
char     *vmem_size_format (guint64       bytes);

G_END_DECLS
