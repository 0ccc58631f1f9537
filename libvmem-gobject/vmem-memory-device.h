/* vmem-memory-device.h: the base class of memory devices
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
#include "vmem-device-address.h"

G_BEGIN_DECLS

/**
 * VMEM_TYPE_MEMORY_DEVICE:
 *
 * The #GType of #VmemMemoryDevice.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_MEMORY_DEVICE (vmem_memory_device_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_DERIVABLE_TYPE (VmemMemoryDevice, vmem_memory_device, VMEM, MEMORY_DEVICE, GObject)

/**
 * VmemMemoryDeviceClass:
 * @parent_class: the parent class
 * @validate: checks the device against libvirt's rules for its model;
 *   subclasses chain up first
 *
 * The class structure of #VmemMemoryDevice. The library provides one
 * subclass for each #VmemMemoryModel; applications do not subclass it.
 *
 * Since: 0.1
 */
struct _VmemMemoryDeviceClass
{
  GObjectClass parent_class;

  gboolean (*validate) (VmemMemoryDevice  *self,
                        GError           **error);

  /*< private >*/
  gpointer _vmem_private[4];
  gpointer _vmem_reserved[8];
};

VMEM_AVAILABLE_IN_0_1
VmemMemoryDevice        *vmem_memory_device_new_from_xml        (const char        *xml,
                                                                 GError           **error);
VMEM_AVAILABLE_IN_0_1
char                    *vmem_memory_device_to_xml              (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
gboolean                 vmem_memory_device_validate            (VmemMemoryDevice  *self,
                                                                 GError           **error);
VMEM_AVAILABLE_IN_0_1
gboolean                 vmem_memory_device_equal               (VmemMemoryDevice  *a,
                                                                 VmemMemoryDevice  *b);
VMEM_AVAILABLE_IN_0_1
VmemMemoryDevice        *vmem_memory_device_copy                (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
gboolean                 vmem_memory_device_is_live             (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
VmemMemoryModel          vmem_memory_device_get_model           (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
const char              *vmem_memory_device_get_alias           (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_alias           (VmemMemoryDevice  *self,
                                                                 const char        *alias);
VMEM_AVAILABLE_IN_0_1
guint64                  vmem_memory_device_get_size            (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_size            (VmemMemoryDevice  *self,
                                                                 guint64            size);
VMEM_AVAILABLE_IN_0_1
int                      vmem_memory_device_get_node            (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_node            (VmemMemoryDevice  *self,
                                                                 int                node);
VMEM_AVAILABLE_IN_0_1
VmemMemoryAccess         vmem_memory_device_get_access          (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_access          (VmemMemoryDevice  *self,
                                                                 VmemMemoryAccess   access);
VMEM_AVAILABLE_IN_0_1
VmemTristate             vmem_memory_device_get_discard         (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_discard         (VmemMemoryDevice  *self,
                                                                 VmemTristate       discard);
VMEM_AVAILABLE_IN_0_1
const VmemDeviceAddress *vmem_memory_device_get_address         (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_address         (VmemMemoryDevice  *self,
                                                                 const VmemDeviceAddress *address);
VMEM_AVAILABLE_IN_0_1
guint64                  vmem_memory_device_get_source_pagesize (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_source_pagesize (VmemMemoryDevice  *self,
                                                                 guint64            pagesize);
VMEM_AVAILABLE_IN_0_1
const char              *vmem_memory_device_get_source_nodemask (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_source_nodemask (VmemMemoryDevice  *self,
                                                                 const char        *nodemask);
VMEM_AVAILABLE_IN_0_1
const char              *vmem_memory_device_get_source_path     (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_source_path     (VmemMemoryDevice  *self,
                                                                 const char        *path);
VMEM_AVAILABLE_IN_0_1
guint64                  vmem_memory_device_get_source_alignsize (VmemMemoryDevice *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_source_alignsize (VmemMemoryDevice *self,
                                                                  guint64           alignsize);
VMEM_AVAILABLE_IN_0_1
gboolean                 vmem_memory_device_get_source_pmem     (VmemMemoryDevice  *self);
VMEM_AVAILABLE_IN_0_1
void                     vmem_memory_device_set_source_pmem     (VmemMemoryDevice  *self,
                                                                 gboolean           pmem);

G_END_DECLS
