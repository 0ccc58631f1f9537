/* vmem-virtio-pmem.h: a virtio-pmem memory device
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
 * VMEM_TYPE_VIRTIO_PMEM:
 *
 * The #GType of #VmemVirtioPmem.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_VIRTIO_PMEM (vmem_virtio_pmem_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemVirtioPmem, vmem_virtio_pmem, VMEM, VIRTIO_PMEM, VmemMemoryDevice)

VMEM_AVAILABLE_IN_0_1
VmemVirtioPmem *vmem_virtio_pmem_new              (void);
VMEM_AVAILABLE_IN_0_1
guint64         vmem_virtio_pmem_get_address_base (VmemVirtioPmem *self);
VMEM_AVAILABLE_IN_0_1
void            vmem_virtio_pmem_set_address_base (VmemVirtioPmem *self,
                                                   guint64         base);

G_END_DECLS
