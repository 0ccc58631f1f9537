/* vmem-numa-cell-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "vmem-numa-cell.h"

G_BEGIN_DECLS

VmemNumaCell *_vmem_numa_cell_new (guint       id,
                                   const char *cpus,
                                   guint64     memory);

G_END_DECLS
