/* vmem-nvdimm.h: an NVDIMM memory device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include "vmem-memory-device.h"

G_BEGIN_DECLS

/**
 * VMEM_TYPE_NVDIMM:
 *
 * The #GType of #VmemNvdimm.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_NVDIMM (vmem_nvdimm_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemNvdimm, vmem_nvdimm, VMEM, NVDIMM, VmemMemoryDevice)

VMEM_AVAILABLE_IN_0_1
VmemNvdimm *vmem_nvdimm_new (void);

VMEM_AVAILABLE_IN_0_1
guint64     vmem_nvdimm_get_label_size (VmemNvdimm *self);
VMEM_AVAILABLE_IN_0_1
void        vmem_nvdimm_set_label_size (VmemNvdimm *self,
                                        guint64     label_size);
VMEM_AVAILABLE_IN_0_1
gboolean    vmem_nvdimm_get_readonly   (VmemNvdimm *self);
VMEM_AVAILABLE_IN_0_1
void        vmem_nvdimm_set_readonly   (VmemNvdimm *self,
                                        gboolean    readonly);
VMEM_AVAILABLE_IN_0_1
const char *vmem_nvdimm_get_uuid       (VmemNvdimm *self);
VMEM_AVAILABLE_IN_0_1
void        vmem_nvdimm_set_uuid       (VmemNvdimm *self,
                                        const char *uuid);

G_END_DECLS
