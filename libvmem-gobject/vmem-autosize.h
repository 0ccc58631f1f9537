/* vmem-autosize.h: keeping a guest's available memory in a band with virtio-mem
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <glib-object.h>

#include "vmem-domain.h"
#include "vmem-memory-device.h"
#include "vmem-version-macros.h"

G_BEGIN_DECLS

/**
 * VMEM_TYPE_AUTOSIZE:
 *
 * The #GType of #VmemAutosize.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_AUTOSIZE (vmem_autosize_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemAutosize, vmem_autosize, VMEM, AUTOSIZE, GObject)

VMEM_AVAILABLE_IN_0_1
VmemAutosize *vmem_autosize_new                (VmemDomain   *domain);
VMEM_AVAILABLE_IN_0_1
VmemDomain   *vmem_autosize_get_domain         (VmemAutosize *self);

VMEM_AVAILABLE_IN_0_1
guint64       vmem_autosize_get_available_low  (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
void          vmem_autosize_set_available_low  (VmemAutosize *self,
                                                guint64       bytes);
VMEM_AVAILABLE_IN_0_1
guint64       vmem_autosize_get_available_high (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
void          vmem_autosize_set_available_high (VmemAutosize *self,
                                                guint64       bytes);
VMEM_AVAILABLE_IN_0_1
guint64       vmem_autosize_get_step_max       (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
void          vmem_autosize_set_step_max       (VmemAutosize *self,
                                                guint64       bytes);
VMEM_AVAILABLE_IN_0_1
guint64       vmem_autosize_get_minimum        (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
void          vmem_autosize_set_minimum        (VmemAutosize *self,
                                                guint64       bytes);
VMEM_AVAILABLE_IN_0_1
guint64       vmem_autosize_get_maximum        (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
void          vmem_autosize_set_maximum        (VmemAutosize *self,
                                                guint64       bytes);
VMEM_AVAILABLE_IN_0_1
guint64       vmem_autosize_get_host_reserve   (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
void          vmem_autosize_set_host_reserve   (VmemAutosize *self,
                                                guint64       bytes);
VMEM_AVAILABLE_IN_0_1
guint         vmem_autosize_get_period         (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
void          vmem_autosize_set_period         (VmemAutosize *self,
                                                guint         seconds);

VMEM_AVAILABLE_IN_0_1
gboolean      vmem_autosize_get_running        (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
guint64       vmem_autosize_get_guest_available (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
guint64       vmem_autosize_get_guest_total    (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
guint64       vmem_autosize_get_host_free      (VmemAutosize *self);
VMEM_AVAILABLE_IN_0_1
guint         vmem_autosize_get_resizes        (VmemAutosize *self);

VMEM_AVAILABLE_IN_0_1
gboolean      vmem_autosize_start              (VmemAutosize *self,
                                                GError      **error);
VMEM_AVAILABLE_IN_0_1
void          vmem_autosize_stop               (VmemAutosize *self);

G_END_DECLS
