/* vmem-domain-config.h: the memory view of a domain's XML
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vmem-version-macros.h"

G_BEGIN_DECLS

/**
 * VMEM_TYPE_DOMAIN_CONFIG:
 *
 * The #GType of #VmemDomainConfig.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_DOMAIN_CONFIG (vmem_domain_config_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemDomainConfig, vmem_domain_config, VMEM, DOMAIN_CONFIG, GObject)

VMEM_AVAILABLE_IN_0_1
VmemDomainConfig *vmem_domain_config_new_from_xml          (const char        *xml,
                                                            GError           **error);
VMEM_AVAILABLE_IN_0_1
const char       *vmem_domain_config_get_name              (VmemDomainConfig  *self);
VMEM_AVAILABLE_IN_0_1
const char       *vmem_domain_config_get_uuid              (VmemDomainConfig  *self);
VMEM_AVAILABLE_IN_0_1
int               vmem_domain_config_get_id                (VmemDomainConfig  *self);
VMEM_AVAILABLE_IN_0_1
const char       *vmem_domain_config_get_arch              (VmemDomainConfig  *self);
VMEM_AVAILABLE_IN_0_1
guint64           vmem_domain_config_get_max_memory        (VmemDomainConfig  *self);
VMEM_AVAILABLE_IN_0_1
guint             vmem_domain_config_get_max_memory_slots  (VmemDomainConfig  *self);
VMEM_AVAILABLE_IN_0_1
guint64           vmem_domain_config_get_memory            (VmemDomainConfig  *self);
VMEM_AVAILABLE_IN_0_1
guint64           vmem_domain_config_get_current_memory    (VmemDomainConfig  *self);
VMEM_AVAILABLE_IN_0_1
GListModel       *vmem_domain_config_get_numa_cells        (VmemDomainConfig  *self);
VMEM_AVAILABLE_IN_0_1
GListModel       *vmem_domain_config_get_memory_devices    (VmemDomainConfig  *self);
VMEM_AVAILABLE_IN_0_1
gboolean          vmem_domain_config_validate              (VmemDomainConfig  *self,
                                                            GError           **error);

G_END_DECLS
