/* vmem-virtio-mem.h: a virtio-mem memory device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vmem-memory-device.h"

G_BEGIN_DECLS

/**
 * VMEM_TYPE_VIRTIO_MEM:
 *
 * The #GType of #VmemVirtioMem.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_VIRTIO_MEM (vmem_virtio_mem_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemVirtioMem, vmem_virtio_mem, VMEM, VIRTIO_MEM, VmemMemoryDevice)

VMEM_AVAILABLE_IN_0_1
VmemVirtioMem *vmem_virtio_mem_new (void);

VMEM_AVAILABLE_IN_0_1
guint64  vmem_virtio_mem_get_block_size           (VmemVirtioMem  *self);
VMEM_AVAILABLE_IN_0_1
void     vmem_virtio_mem_set_block_size           (VmemVirtioMem  *self,
                                                   guint64         block_size);
VMEM_AVAILABLE_IN_0_1
guint64  vmem_virtio_mem_get_requested_size       (VmemVirtioMem  *self);
VMEM_AVAILABLE_IN_0_1
guint64  vmem_virtio_mem_get_current_size         (VmemVirtioMem  *self);
VMEM_AVAILABLE_IN_0_1
guint64  vmem_virtio_mem_get_address_base         (VmemVirtioMem  *self);
VMEM_AVAILABLE_IN_0_1
void     vmem_virtio_mem_set_address_base         (VmemVirtioMem  *self,
                                                   guint64         base);
VMEM_AVAILABLE_IN_0_1
VmemTristate vmem_virtio_mem_get_dynamic_memslots (VmemVirtioMem  *self);
VMEM_AVAILABLE_IN_0_1
void     vmem_virtio_mem_set_dynamic_memslots     (VmemVirtioMem  *self,
                                                   VmemTristate    dynamic_memslots);
VMEM_AVAILABLE_IN_0_1
gboolean vmem_virtio_mem_check_requested_size     (VmemVirtioMem  *self,
                                                   guint64         size,
                                                   GError        **error);
VMEM_AVAILABLE_IN_0_1
guint    vmem_virtio_mem_get_stall_timeout        (VmemVirtioMem  *self);
VMEM_AVAILABLE_IN_0_1
void     vmem_virtio_mem_set_stall_timeout        (VmemVirtioMem  *self,
                                                   guint           msec);

VMEM_AVAILABLE_IN_0_1
gboolean vmem_virtio_mem_set_requested_size        (VmemVirtioMem        *self,
                                                    guint64               size,
                                                    VmemAffectFlags       flags,
                                                    GCancellable         *cancellable,
                                                    GError              **error);
VMEM_AVAILABLE_IN_0_1
void     vmem_virtio_mem_set_requested_size_async  (VmemVirtioMem        *self,
                                                    guint64               size,
                                                    VmemAffectFlags       flags,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
VMEM_AVAILABLE_IN_0_1
gboolean vmem_virtio_mem_set_requested_size_finish (VmemVirtioMem        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
VMEM_AVAILABLE_IN_0_1
void     vmem_virtio_mem_resize_async              (VmemVirtioMem        *self,
                                                    guint64               size,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
VMEM_AVAILABLE_IN_0_1
gboolean vmem_virtio_mem_resize_finish             (VmemVirtioMem        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
G_END_DECLS
