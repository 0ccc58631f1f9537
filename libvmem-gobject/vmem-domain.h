/* vmem-domain.h: a libvirt domain and its memory devices
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vmem-version-macros.h"
#include "vmem-enums.h"
#include "vmem-connection.h"
#include "vmem-domain-config.h"
#include "vmem-memory-device.h"
#include "vmem-memory-usage.h"

G_BEGIN_DECLS

/**
 * VMEM_TYPE_DOMAIN:
 *
 * The #GType of #VmemDomain.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_DOMAIN (vmem_domain_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemDomain, vmem_domain, VMEM, DOMAIN, GObject)

VMEM_AVAILABLE_IN_0_1
VmemConnection  *vmem_domain_get_connection     (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
const char      *vmem_domain_get_name           (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
const char      *vmem_domain_get_uuid           (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
VmemDomainState  vmem_domain_get_state          (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
gboolean         vmem_domain_is_active          (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
GListModel      *vmem_domain_get_memory_devices (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
VmemDomainConfig *vmem_domain_dup_config        (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
VmemMemoryUsage *vmem_domain_get_memory         (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
GListModel      *vmem_domain_get_numa_nodes     (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
guint64          vmem_domain_get_max_memory     (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
guint            vmem_domain_get_memory_slots   (VmemDomain           *self);
VMEM_AVAILABLE_IN_0_1
guint            vmem_domain_get_free_memory_slots (VmemDomain        *self);
VMEM_AVAILABLE_IN_0_1
guint64          vmem_domain_get_hotplug_headroom (VmemDomain         *self);
VMEM_AVAILABLE_IN_0_1
VmemMemoryDevice *vmem_domain_find_memory_device (VmemDomain          *self,
                                                  const char          *alias);
VMEM_AVAILABLE_IN_0_1
gboolean         vmem_domain_refresh            (VmemDomain           *self,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
VMEM_AVAILABLE_IN_0_1
void             vmem_domain_refresh_async      (VmemDomain           *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
VMEM_AVAILABLE_IN_0_1
gboolean         vmem_domain_refresh_finish     (VmemDomain           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
VMEM_AVAILABLE_IN_0_1
VmemMemoryDevice *vmem_domain_attach_device     (VmemDomain           *self,
                                                 VmemMemoryDevice     *device,
                                                 VmemAffectFlags       flags,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
VMEM_AVAILABLE_IN_0_1
void             vmem_domain_attach_device_async (VmemDomain          *self,
                                                  VmemMemoryDevice    *device,
                                                  VmemAffectFlags      flags,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
VMEM_AVAILABLE_IN_0_1
VmemMemoryDevice *vmem_domain_attach_device_finish (VmemDomain        *self,
                                                   GAsyncResult       *result,
                                                   GError            **error);
VMEM_AVAILABLE_IN_0_1
void             vmem_domain_detach_device_async (VmemDomain          *self,
                                                  const char          *alias,
                                                  VmemAffectFlags      flags,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
VMEM_AVAILABLE_IN_0_1
gboolean         vmem_domain_detach_device_finish (VmemDomain         *self,
                                                   GAsyncResult       *result,
                                                   GError            **error);

G_END_DECLS
