/* vmem-numa-cell.h: a guest NUMA cell
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <glib-object.h>

#include "vmem-version-macros.h"

G_BEGIN_DECLS

/**
 * VMEM_TYPE_NUMA_CELL:
 *
 * The #GType of #VmemNumaCell.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_NUMA_CELL (vmem_numa_cell_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemNumaCell, vmem_numa_cell, VMEM, NUMA_CELL, GObject)

VMEM_AVAILABLE_IN_0_1
guint       vmem_numa_cell_get_id     (VmemNumaCell *self);
VMEM_AVAILABLE_IN_0_1
const char *vmem_numa_cell_get_cpus   (VmemNumaCell *self);
VMEM_AVAILABLE_IN_0_1
guint64     vmem_numa_cell_get_memory (VmemNumaCell *self);

G_END_DECLS
