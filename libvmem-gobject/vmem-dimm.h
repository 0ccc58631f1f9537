/* vmem-dimm.h: a pc-dimm memory device
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
 * VMEM_TYPE_DIMM:
 *
 * The #GType of #VmemDimm.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_DIMM (vmem_dimm_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemDimm, vmem_dimm, VMEM, DIMM, VmemMemoryDevice)

VMEM_AVAILABLE_IN_0_1
VmemDimm *vmem_dimm_new (void);

G_END_DECLS
