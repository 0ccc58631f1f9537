/* vmem-device-address.h: the address of a memory device
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
 * VMEM_TYPE_DEVICE_ADDRESS:
 *
 * The #GType of #VmemDeviceAddress.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_DEVICE_ADDRESS (vmem_device_address_get_type ())

typedef struct _VmemDeviceAddress VmemDeviceAddress;

VMEM_AVAILABLE_IN_0_1
GType              vmem_device_address_get_type         (void) G_GNUC_CONST;
VMEM_AVAILABLE_IN_0_1
VmemDeviceAddress *vmem_device_address_new_pci          (guint                    domain,
                                                         guint                    bus,
                                                         guint                    slot,
                                                         guint                    function);
VMEM_AVAILABLE_IN_0_1
VmemDeviceAddress *vmem_device_address_new_dimm         (guint                    slot,
                                                         guint64                  base);
VMEM_AVAILABLE_IN_0_1
VmemDeviceAddress *vmem_device_address_copy             (const VmemDeviceAddress *self);
VMEM_AVAILABLE_IN_0_1
void               vmem_device_address_free             (VmemDeviceAddress       *self);
VMEM_AVAILABLE_IN_0_1
gboolean           vmem_device_address_equal            (const VmemDeviceAddress *a,
                                                         const VmemDeviceAddress *b);
VMEM_AVAILABLE_IN_0_1
VmemAddressType    vmem_device_address_get_address_type (const VmemDeviceAddress *self);
VMEM_AVAILABLE_IN_0_1
const char        *vmem_device_address_get_type_name    (const VmemDeviceAddress *self);
VMEM_AVAILABLE_IN_0_1
guint              vmem_device_address_get_pci_domain   (const VmemDeviceAddress *self);
VMEM_AVAILABLE_IN_0_1
guint              vmem_device_address_get_pci_bus      (const VmemDeviceAddress *self);
VMEM_AVAILABLE_IN_0_1
guint              vmem_device_address_get_pci_slot     (const VmemDeviceAddress *self);
VMEM_AVAILABLE_IN_0_1
guint              vmem_device_address_get_pci_function (const VmemDeviceAddress *self);
VMEM_AVAILABLE_IN_0_1
guint              vmem_device_address_get_dimm_slot    (const VmemDeviceAddress *self);
VMEM_AVAILABLE_IN_0_1
guint64            vmem_device_address_get_base         (const VmemDeviceAddress *self);
VMEM_AVAILABLE_IN_0_1
char              *vmem_device_address_to_string        (const VmemDeviceAddress *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmemDeviceAddress, vmem_device_address_free)

G_END_DECLS
