/* vmem-memory-usage-private.h: how a domain computes its figures
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vmem-domain-config.h"
#include "vmem-memory-device.h"
#include "vmem-memory-usage.h"

G_BEGIN_DECLS

/* The figures of a domain, as a domain keeps them. */
typedef struct
{
  guint64 max_memory;
  guint   slots;
  guint   free_slots;
  guint64 headroom;
} VmemHotplugFigures;

VmemMemoryUsage *_vmem_memory_usage_new     (int               node);

/* Computes the domain's figures from its last read and its live devices,
 * the free slots by the rules of @libvirt_version, and brings @usage (the
 * whole domain) and @nodes (a GListStore of VmemMemoryUsage, one per NUMA
 * cell) up to date, each property notified only when it changes; nothing
 * is notified of the objects of a domain being made, which nobody can
 * watch yet. @usage and @nodes are %NULL until somebody asks for them:
 * then only @out_hotplug is computed. */
void             _vmem_memory_usage_compute (VmemDomainConfig   *config,
                                             VmemMemoryDevice  **devices,
                                             guint               n_devices,
                                             gulong              libvirt_version,
                                             VmemMemoryUsage    *usage,
                                             GListStore         *nodes,
                                             gboolean            notify,
                                             VmemHotplugFigures *out_hotplug);

G_END_DECLS
