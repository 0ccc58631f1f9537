/* vmem-virtio-mem.c: a virtio-mem memory device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-virtio-mem.h"

#include "vmem-error.h"
#include "vmem-memory-device-private.h"
#include "vmem-size.h"

/**
 * SECTION:vmem-virtio-mem
 * @Title: VmemVirtioMem
 * @Short_description: A virtio-mem memory device
 *
 * A virtio-mem device offers a guest NUMA node a region of
 * #VmemMemoryDevice:size bytes, the most it can ever plug, cut into
 * blocks of #VmemVirtioMem:block-size bytes (a power of two, usually
 * 2 MiB). Management sets #VmemVirtioMem:requested-size, a multiple of the
 * block size from 0 to the size; the guest driver plugs or unplugs blocks
 * to follow, and #VmemVirtioMem:current-size says how much the guest
 * really has. A guest that cannot cooperate never reaches the requested
 * size.
 *
 * vmem_virtio_mem_check_requested_size() says whether a proposed size is
 * acceptable, and exactly what is wrong with it when it is not.
 */

/**
 * VmemVirtioMem:
 *
 * A memory device of model %VMEM_MEMORY_MODEL_VIRTIO_MEM.
 *
 * Since: 0.1
 */
struct _VmemVirtioMem
{
  VmemMemoryDevice parent_instance;

  guint64 block_size;
  guint64 requested_size;
  guint64 current_size;
  guint64 address_base;
};

G_DEFINE_FINAL_TYPE (VmemVirtioMem, vmem_virtio_mem, VMEM_TYPE_MEMORY_DEVICE)

enum {
  PROP_0,
  PROP_BLOCK_SIZE,
  PROP_REQUESTED_SIZE,
  PROP_CURRENT_SIZE,
  PROP_ADDRESS_BASE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
vmem_virtio_mem_parse (VmemMemoryDevice  *device,
                       VmemXmlNode       *memory,
                       VmemXmlNode       *target,
                       GError           **error)
{
  VmemVirtioMem *self = VMEM_VIRTIO_MEM (device);
  VmemXmlNode *address;

  if (target == NULL)
    return TRUE;

  if (!vmem_xml_child_size (target, "block", &self->block_size, error) ||
      !vmem_xml_child_size (target, "requested", &self->requested_size, error) ||
      !vmem_xml_child_size (target, "current", &self->current_size, error))
    return FALSE;

  address = vmem_xml_node_child (target, "address");
  if (address != NULL)
    {
      const char *base = vmem_xml_node_attr (address, "base");

      if (base != NULL &&
          !vmem_xml_parse_uint ("target address base", base, 16, G_MAXUINT64,
                                &self->address_base, error))
        return FALSE;
    }

  return TRUE;
}

static void
vmem_virtio_mem_write_target (VmemMemoryDevice *device,
                              VmemXmlWriter    *w)
{
  VmemVirtioMem *self = VMEM_VIRTIO_MEM (device);

  vmem_xml_writer_size (w, "target/block", "block", self->block_size);
  vmem_xml_writer_size (w, "target/requested", "requested", self->requested_size);
  if (self->current_size != 0)
    vmem_xml_writer_size (w, "target/current", "current", self->current_size);

  if (self->address_base != 0 || vmem_xml_extras_has_under (w->extras, "target/address"))
    {
      char base[24];

      g_snprintf (base, sizeof base, "0x%" G_GINT64_MODIFIER "x", self->address_base);
      vmem_xml_writer_element (w, "target/address", "address", NULL,
                               "base", self->address_base != 0 ? base : NULL, NULL);
    }
}

static const VmemMemoryDeviceOps vmem_virtio_mem_ops = {
  .model = VMEM_MEMORY_MODEL_VIRTIO_MEM,
  .parse = vmem_virtio_mem_parse,
  .write_target = vmem_virtio_mem_write_target,
};

static gboolean
check_block_size (guint64   block_size,
                  GError  **error)
{
  g_autofree char *block = NULL;

  if (block_size != 0 && (block_size & (block_size - 1)) == 0)
    return TRUE;

  block = vmem_size_format (block_size);
  g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_ALIGNED,
               "The block size %s (%" G_GUINT64_FORMAT " bytes) is not a power of two",
               block, block_size);
  return FALSE;
}

static gboolean
vmem_virtio_mem_validate (VmemMemoryDevice  *device,
                          GError           **error)
{
  VmemVirtioMem *self = VMEM_VIRTIO_MEM (device);
  guint64 size = vmem_memory_device_get_size (device);

  if (!VMEM_MEMORY_DEVICE_CLASS (vmem_virtio_mem_parent_class)->validate (device, error) ||
      !check_block_size (self->block_size, error))
    return FALSE;

  if (size % self->block_size != 0)
    {
      g_autofree char *size_text = vmem_size_format (size);
      g_autofree char *block_text = vmem_size_format (self->block_size);

      g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_ALIGNED,
                   "The size %s (%" G_GUINT64_FORMAT " bytes) is not a multiple of "
                   "the block size %s", size_text, size, block_text);
      return FALSE;
    }

  return vmem_virtio_mem_check_requested_size (self, self->requested_size, error);
}

static void
vmem_virtio_mem_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  VmemVirtioMem *self = VMEM_VIRTIO_MEM (object);

  switch (prop_id)
    {
    case PROP_BLOCK_SIZE:
      g_value_set_uint64 (value, self->block_size);
      break;
    case PROP_REQUESTED_SIZE:
      g_value_set_uint64 (value, self->requested_size);
      break;
    case PROP_CURRENT_SIZE:
      g_value_set_uint64 (value, self->current_size);
      break;
    case PROP_ADDRESS_BASE:
      g_value_set_uint64 (value, self->address_base);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_virtio_mem_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  VmemVirtioMem *self = VMEM_VIRTIO_MEM (object);

  switch (prop_id)
    {
    case PROP_BLOCK_SIZE:
      vmem_virtio_mem_set_block_size (self, g_value_get_uint64 (value));
      break;
    case PROP_REQUESTED_SIZE:
      if (self->requested_size != g_value_get_uint64 (value))
        {
          self->requested_size = g_value_get_uint64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_ADDRESS_BASE:
      vmem_virtio_mem_set_address_base (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_virtio_mem_class_init (VmemVirtioMemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VmemMemoryDeviceClass *device_class = VMEM_MEMORY_DEVICE_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = vmem_virtio_mem_get_property;
  object_class->set_property = vmem_virtio_mem_set_property;

  device_class->validate = vmem_virtio_mem_validate;
  _vmem_memory_device_class_set_ops (device_class, &vmem_virtio_mem_ops);

  /**
   * VmemVirtioMem:block-size:
   *
   * The size of the blocks the guest plugs and unplugs, in bytes: a power
   * of two, at least the host's transparent huge page size.
   *
   * Since: 0.1
   */
  properties[PROP_BLOCK_SIZE] =
    g_param_spec_uint64 ("block-size", NULL, NULL, 0, G_MAXUINT64, 0, rw);

  /**
   * VmemVirtioMem:requested-size:
   *
   * How much memory the guest is asked to plug, in bytes: a multiple of
   * #VmemVirtioMem:block-size from 0 to #VmemMemoryDevice:size. Setting
   * the property changes only this object, for a device that is yet to
   * be defined or attached.
   *
   * Since: 0.1
   */
  properties[PROP_REQUESTED_SIZE] =
    g_param_spec_uint64 ("requested-size", NULL, NULL, 0, G_MAXUINT64, 0, rw);

  /**
   * VmemVirtioMem:current-size:
   *
   * How much memory the guest has really plugged, in bytes, as libvirt
   * reports it for a running domain (`<current>`); 0 when the XML has
   * none, as in inactive XML.
   *
   * Since: 0.1
   */
  properties[PROP_CURRENT_SIZE] =
    g_param_spec_uint64 ("current-size", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmemVirtioMem:address-base:
   *
   * The guest physical address the device's region starts at
   * (`<target><address base=.../>`), or 0 to let the hypervisor choose.
   *
   * Since: 0.1
   */
  properties[PROP_ADDRESS_BASE] =
    g_param_spec_uint64 ("address-base", NULL, NULL, 0, G_MAXUINT64, 0, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vmem_virtio_mem_init (VmemVirtioMem *self)
{
}

/**
 * vmem_virtio_mem_new:
 *
 * Creates an empty device of this model, to fill in and hot-plug.
 *
 * Returns: (transfer full): a new #VmemVirtioMem
 *
 * Since: 0.1
 */
VmemVirtioMem *
vmem_virtio_mem_new (void)
{
  return g_object_new (VMEM_TYPE_VIRTIO_MEM, NULL);
}

/**
 * vmem_virtio_mem_get_block_size:
 * @self: a #VmemVirtioMem
 *
 * Gives the #VmemVirtioMem:block-size of the device.
 *
 * Returns: the block size in bytes
 *
 * Since: 0.1
 */
guint64
vmem_virtio_mem_get_block_size (VmemVirtioMem *self)
{
  g_return_val_if_fail (VMEM_IS_VIRTIO_MEM (self), 0);

  return self->block_size;
}

/**
 * vmem_virtio_mem_set_block_size:
 * @self: a #VmemVirtioMem
 * @block_size: the block size in bytes
 *
 * Sets the #VmemVirtioMem:block-size of the device.
 *
 * Since: 0.1
 */
void
vmem_virtio_mem_set_block_size (VmemVirtioMem *self,
                                guint64        block_size)
{
  g_return_if_fail (VMEM_IS_VIRTIO_MEM (self));

  if (self->block_size != block_size)
    {
      self->block_size = block_size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLOCK_SIZE]);
    }
}

/**
 * vmem_virtio_mem_get_requested_size:
 * @self: a #VmemVirtioMem
 *
 * Gives the #VmemVirtioMem:requested-size of the device.
 *
 * Returns: the requested size in bytes
 *
 * Since: 0.1
 */
guint64
vmem_virtio_mem_get_requested_size (VmemVirtioMem *self)
{
  g_return_val_if_fail (VMEM_IS_VIRTIO_MEM (self), 0);

  return self->requested_size;
}

/**
 * vmem_virtio_mem_get_current_size:
 * @self: a #VmemVirtioMem
 *
 * Gives the #VmemVirtioMem:current-size of the device.
 *
 * Returns: the plugged size in bytes, or 0 when unknown
 *
 * Since: 0.1
 */
guint64
vmem_virtio_mem_get_current_size (VmemVirtioMem *self)
{
  g_return_val_if_fail (VMEM_IS_VIRTIO_MEM (self), 0);

  return self->current_size;
}

/**
 * vmem_virtio_mem_get_address_base:
 * @self: a #VmemVirtioMem
 *
 * Gives the #VmemVirtioMem:address-base of the device.
 *
 * Returns: the base address, or 0
 *
 * Since: 0.1
 */
guint64
vmem_virtio_mem_get_address_base (VmemVirtioMem *self)
{
  g_return_val_if_fail (VMEM_IS_VIRTIO_MEM (self), 0);

  return self->address_base;
}

/**
 * vmem_virtio_mem_set_address_base:
 * @self: a #VmemVirtioMem
 * @base: the base address, or 0
 *
 * Sets the #VmemVirtioMem:address-base of the device.
 *
 * Since: 0.1
 */
void
vmem_virtio_mem_set_address_base (VmemVirtioMem *self,
                                  guint64        base)
{
  g_return_if_fail (VMEM_IS_VIRTIO_MEM (self));

  if (self->address_base != base)
    {
      self->address_base = base;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS_BASE]);
    }
}

/**
 * vmem_virtio_mem_check_requested_size:
 * @self: a #VmemVirtioMem
 * @size: a proposed requested size, in bytes
 * @error: return location for a #GError, or %NULL
 *
 * Checks a requested size against the device with libvirt's rules: the
 * device's block size must be a power of two, and @size a multiple of it
 * no larger than the device's #VmemMemoryDevice:size. Nothing is changed.
 *
 * Returns: %TRUE if @size may be requested; %FALSE with
 *   %VMEM_ERROR_OUT_OF_RANGE or %VMEM_ERROR_NOT_ALIGNED and a message that
 *   names the sizes
 *
 * Since: 0.1
 */
gboolean
vmem_virtio_mem_check_requested_size (VmemVirtioMem  *self,
                                      guint64         size,
                                      GError        **error)
{
  guint64 max;

  g_return_val_if_fail (VMEM_IS_VIRTIO_MEM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_block_size (self->block_size, error))
    return FALSE;

  max = vmem_memory_device_get_size (VMEM_MEMORY_DEVICE (self));
  if (size > max)
    {
      g_autofree char *size_text = vmem_size_format (size);
      g_autofree char *max_text = vmem_size_format (max);

      g_set_error (error, VMEM_ERROR, VMEM_ERROR_OUT_OF_RANGE,
                   "The requested size %s (%" G_GUINT64_FORMAT " bytes) is larger "
                   "than the device's size %s (%" G_GUINT64_FORMAT " bytes)",
                   size_text, size, max_text, max);
      return FALSE;
    }

  if (size % self->block_size != 0)
    {
      g_autofree char *size_text = vmem_size_format (size);
      g_autofree char *block_text = vmem_size_format (self->block_size);

      g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_ALIGNED,
                   "The requested size %s (%" G_GUINT64_FORMAT " bytes) is not a "
                   "multiple of the block size %s (%" G_GUINT64_FORMAT " bytes)",
                   size_text, size, block_text, self->block_size);
      return FALSE;
    }

  return TRUE;
}
