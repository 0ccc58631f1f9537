/* vmem-memory-usage.h: a domain's memory, or a guest NUMA node's, in figures
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <glib-object.h>

#include "vmem-version-macros.h"
#include "vmem-enums.h"

G_BEGIN_DECLS

/**
 * VMEM_TYPE_MEMORY_USAGE:
 *
 * The #GType of #VmemMemoryUsage.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_MEMORY_USAGE (vmem_memory_usage_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemMemoryUsage, vmem_memory_usage, VMEM, MEMORY_USAGE, GObject)

VMEM_AVAILABLE_IN_0_1
int      vmem_memory_usage_get_node               (VmemMemoryUsage *self);
VMEM_AVAILABLE_IN_0_1
guint64  vmem_memory_usage_get_base               (VmemMemoryUsage *self);
VMEM_AVAILABLE_IN_0_1
guint64  vmem_memory_usage_get_plugged            (VmemMemoryUsage *self,
                                                   VmemMemoryModel  model);
VMEM_AVAILABLE_IN_0_1
guint64  vmem_memory_usage_get_virtio_mem_requested (VmemMemoryUsage *self);
VMEM_AVAILABLE_IN_0_1
guint64  vmem_memory_usage_get_virtio_mem_maximum (VmemMemoryUsage *self);
VMEM_AVAILABLE_IN_0_1
guint64  vmem_memory_usage_get_total              (VmemMemoryUsage *self);

G_END_DECLS
