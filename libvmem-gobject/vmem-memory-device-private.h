/* vmem-memory-device-private.h: what the device classes share internally
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "vmem-memory-device.h"
#include "vmem-domain.h"
#include "vmem-virtio-mem.h"
#include "vmem-xml-private.h"

G_BEGIN_DECLS

/* What each model's class adds to the base class's reading and writing of
 * a <memory> element. */
typedef struct
{
  VmemMemoryModel model;

  /* Reads the model's own elements; @target may be NULL. */
  gboolean (*parse)        (VmemMemoryDevice  *self,
                            VmemXmlNode       *memory,
                            VmemXmlNode       *target,
                            GError           **error);
  /* Writes what comes before <source> (the NVDIMM's <uuid>). */
  void     (*write_head)   (VmemMemoryDevice  *self,
                            VmemXmlWriter     *w);
  /* Writes the model's part of <target>, after <size> and <node>. */
  void     (*write_target) (VmemMemoryDevice  *self,
                            VmemXmlWriter     *w);
  /* The model's attribute of <target> (virtio-mem's dynamicMemslots), and
   * its value for @self: NULL leaves it out. */
  const char  *target_attribute;
  const char *(*target_attribute_value) (VmemMemoryDevice *self);
  /* Takes the model's values that have no public setter from @other. */
  void     (*update_from)  (VmemMemoryDevice  *self,
                            VmemMemoryDevice  *other);
  /* Takes the size libvirt reported for the device in the guest. */
  void     (*report_size)  (VmemMemoryDevice  *self,
                            guint64            size);
} VmemMemoryDeviceOps;

void              _vmem_memory_device_class_set_ops (VmemMemoryDeviceClass  *klass,
                                                     const VmemMemoryDeviceOps *ops);
VmemMemoryDevice *_vmem_memory_device_new_from_node (VmemXmlNode            *memory,
                                                     GError                **error);

/* Live devices: made and brought up to date by their VmemDomain only. */
void              _vmem_memory_device_adopt         (VmemMemoryDevice       *self,
                                                     VmemDomain             *domain);
void              _vmem_memory_device_report_size   (VmemMemoryDevice       *self,
                                                     guint64                 size);
void              _vmem_memory_device_orphan        (VmemMemoryDevice       *self);
VmemDomain       *_vmem_memory_device_dup_domain    (VmemMemoryDevice       *self);
VmemDomain       *_vmem_memory_device_dup_live_domain (VmemMemoryDevice     *self,
                                                       GError              **error);
/* For the setters: FALSE, with a critical, for a live device. */
gboolean          _vmem_memory_device_is_editable   (VmemMemoryDevice       *self);
void              _vmem_memory_device_update_from   (VmemMemoryDevice       *self,
                                                     VmemMemoryDevice       *other);


/* What the models share of reading and writing XML. */
gboolean           _vmem_memory_device_parse_enum_attr (VmemXmlNode     *node,
                                                        const char      *name,
                                                        GType            type,
                                                        int              absent,
                                                        int             *out,
                                                        GError         **error);
const char        *_vmem_memory_device_enum_nick       (GType            type,
                                                        int              value);
/* <target><address base=.../> of virtio-mem and virtio-pmem devices: 0
 * when absent. */
gboolean           _vmem_memory_device_parse_target_address (VmemXmlNode *target,
                                                             guint64     *out_base,
                                                             GError     **error);
void               _vmem_memory_device_write_target_address (VmemXmlWriter *w,
                                                             guint64        base);

VmemDeviceAddress *_vmem_device_address_new_from_node (VmemXmlNode          *node,
                                                       GError              **error);
void               _vmem_device_address_write         (const VmemDeviceAddress *self,
                                                       VmemXmlWriter        *w);

G_END_DECLS
