/* vmem-virtio-mem.c: a virtio-mem memory device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-virtio-mem.h"

#include "vmem-error.h"
#include "vmem-enum-types.h"
#include "vmem-domain-private.h"
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
 *
 * For a device of a running #VmemDomain, vmem_virtio_mem_set_requested_size()
 * asks libvirt for a new size, and vmem_virtio_mem_resize_async() also
 * waits until the guest has it, or stops making progress:
 *
 * |[<!-- language="Python" -->
 * def done(device, result):
 *     device.resize_finish(result)   # raises GLib.Error on a stall
 *     loop.quit()
 *
 * domain.connect('memory-device-size-changed',
 *                lambda d, dev, size: print(dev.props.alias, size))
 * device.resize_async(1 << 30, None, done)
 * loop.run()
 * ]|
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
  VmemTristate dynamic_memslots;
  guint   stall_timeout;
};

#define DEFAULT_STALL_TIMEOUT_MS 10000

G_DEFINE_FINAL_TYPE (VmemVirtioMem, vmem_virtio_mem, VMEM_TYPE_MEMORY_DEVICE)

enum {
  PROP_0,
  PROP_BLOCK_SIZE,
  PROP_REQUESTED_SIZE,
  PROP_CURRENT_SIZE,
  PROP_ADDRESS_BASE,
  PROP_DYNAMIC_MEMSLOTS,
  PROP_STALL_TIMEOUT,
  N_PROPS
};


static GParamSpec *properties[N_PROPS];

static void
set_current_size (VmemVirtioMem *self,
                  guint64        size)
{
  if (self->current_size != size)
    {
      self->current_size = size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_SIZE]);
    }
}

static void
set_requested_size (VmemVirtioMem *self,
                    guint64        size)
{
  if (self->requested_size != size)
    {
      self->requested_size = size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUESTED_SIZE]);
    }
}

static gboolean
vmem_virtio_mem_parse (VmemMemoryDevice  *device,
                       VmemXmlNode       *memory,
                       VmemXmlNode       *target,
                       GError           **error)
{
  VmemVirtioMem *self = VMEM_VIRTIO_MEM (device);
  int dynamic_memslots;

  if (target == NULL)
    return TRUE;

  if (!vmem_xml_child_size (target, "block", &self->block_size, error) ||
      !vmem_xml_child_size (target, "requested", &self->requested_size, error) ||
      !vmem_xml_child_size (target, "current", &self->current_size, error) ||
      !_vmem_memory_device_parse_target_address (target, &self->address_base, error) ||
      !_vmem_memory_device_parse_enum_attr (target, "dynamicMemslots", VMEM_TYPE_TRISTATE,
                                            VMEM_TRISTATE_DEFAULT, &dynamic_memslots, error))
    return FALSE;
  self->dynamic_memslots = dynamic_memslots;

  return TRUE;
}

static void
vmem_virtio_mem_write_target (VmemMemoryDevice *device,
                              VmemXmlWriter    *w)
{
  VmemVirtioMem *self = VMEM_VIRTIO_MEM (device);

  vmem_xml_writer_size (w, "target/block", "block", self->block_size);
  vmem_xml_writer_size (w, "target/requested", "requested", self->requested_size);
  if (self->current_size != 0 || vmem_xml_extras_has_under (w->extras, "target/current"))
    vmem_xml_writer_size (w, "target/current", "current", self->current_size);

  _vmem_memory_device_write_target_address (w, self->address_base);
}

static const char *
vmem_virtio_mem_dynamic_memslots_value (VmemMemoryDevice *device)
{
  VmemVirtioMem *self = VMEM_VIRTIO_MEM (device);

  return self->dynamic_memslots != VMEM_TRISTATE_DEFAULT
    ? _vmem_memory_device_enum_nick (VMEM_TYPE_TRISTATE, self->dynamic_memslots)
    : NULL;
}

static void
vmem_virtio_mem_update_from (VmemMemoryDevice *device,
                             VmemMemoryDevice *other)
{
  VmemVirtioMem *self = VMEM_VIRTIO_MEM (device);
  VmemVirtioMem *fresh = VMEM_VIRTIO_MEM (other);

  vmem_virtio_mem_set_block_size (self, fresh->block_size);
  vmem_virtio_mem_set_address_base (self, fresh->address_base);
  vmem_virtio_mem_set_dynamic_memslots (self, fresh->dynamic_memslots);
  set_requested_size (self, fresh->requested_size);
  set_current_size (self, fresh->current_size);
}

static void
vmem_virtio_mem_report_size (VmemMemoryDevice *device,
                             guint64           size)
{
  set_current_size (VMEM_VIRTIO_MEM (device), size);
}

static const VmemMemoryDeviceOps vmem_virtio_mem_ops = {
  .model = VMEM_MEMORY_MODEL_VIRTIO_MEM,
  .parse = vmem_virtio_mem_parse,
  .write_target = vmem_virtio_mem_write_target,
  .target_attribute = "dynamicMemslots",
  .target_attribute_value = vmem_virtio_mem_dynamic_memslots_value,
  .update_from = vmem_virtio_mem_update_from,
  .report_size = vmem_virtio_mem_report_size,
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
    case PROP_DYNAMIC_MEMSLOTS:
      g_value_set_enum (value, self->dynamic_memslots);
      break;
    case PROP_STALL_TIMEOUT:
      g_value_set_uint (value, self->stall_timeout);
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
      /* A description's; a live device's changes with
       * vmem_virtio_mem_set_requested_size(), which asks the guest. */
      if (_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
        set_requested_size (self, g_value_get_uint64 (value));
      break;
    case PROP_ADDRESS_BASE:
      vmem_virtio_mem_set_address_base (self, g_value_get_uint64 (value));
      break;
    case PROP_DYNAMIC_MEMSLOTS:
      vmem_virtio_mem_set_dynamic_memslots (self, g_value_get_enum (value));
      break;
    case PROP_STALL_TIMEOUT:
      vmem_virtio_mem_set_stall_timeout (self, g_value_get_uint (value));
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
    g_param_spec_uint64 ("block-size", "Block size", "The size of the blocks the guest plugs and unplugs, in bytes: a power of two, at least the host's transparent huge page size", 0, G_MAXUINT64, 0, rw);

  /**
   * VmemVirtioMem:requested-size:
   *
   * How much memory the guest is asked to plug, in bytes: a multiple of
   * #VmemVirtioMem:block-size from 0 to #VmemMemoryDevice:size. It may be
   * given at construction; vmem_virtio_mem_set_requested_size() changes
   * it, in libvirt too when the device belongs to a domain.
   *
   * Since: 0.1
   */
  properties[PROP_REQUESTED_SIZE] =
    g_param_spec_uint64 ("requested-size", "Requested size", "How much memory the guest is asked to plug, in bytes: a multiple of VmemVirtioMem:block-size from 0 to VmemMemoryDevice:size", 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

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
    g_param_spec_uint64 ("current-size", "Current size", "How much memory the guest has really plugged, in bytes, as libvirt reports it for a running domain (<current>); 0 when the XML has none, as in inactive XML", 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmemVirtioMem:address-base:
   *
   * The guest physical address the device's region starts at
   * (`<target><address base=.../>`, libvirt 9.4 and later), or 0 to let
   * the hypervisor choose. Older libvirt ignores the element and leaves it
   * out of the XML it writes; the library reads it and writes it back all
   * the same.
   *
   * Since: 0.1
   */
  properties[PROP_ADDRESS_BASE] =
    g_param_spec_uint64 ("address-base", "Address base", "The guest physical address the device's region starts at (<target><address base=.../>), or 0 to let the hypervisor choose", 0, G_MAXUINT64, 0, rw);

  /**
   * VmemVirtioMem:dynamic-memslots:
   *
   * Whether QEMU maps the device's region with as many memory slots as it
   * needs, plugged as the guest plugs blocks, instead of one for the
   * whole region (`<target dynamicMemslots=...>`): less host memory for
   * page tables of a large region the guest uses little of. libvirt 10.1
   * and later send it to QEMU 8.2 and later; older libvirt ignores the
   * attribute and leaves it out of the XML it writes, while the library
   * reads it and writes it back all the same. %VMEM_TRISTATE_DEFAULT
   * leaves it to the hypervisor.
   *
   * Since: 0.1
   */
  properties[PROP_DYNAMIC_MEMSLOTS] =
    g_param_spec_enum ("dynamic-memslots", "Dynamic memslots",
                       "Whether QEMU maps the device with as many memory slots as the guest needs (<target dynamicMemslots=...>)",
                       VMEM_TYPE_TRISTATE, VMEM_TRISTATE_DEFAULT, rw);

  /**
   * VmemVirtioMem:stall-timeout:
   *
   * How long, in milliseconds, vmem_virtio_mem_resize_async() waits for
   * the guest to make progress before it gives up with
   * %VMEM_ERROR_STALLED. QEMU reports progress at most once a second.
   *
   * Since: 0.1
   */
  properties[PROP_STALL_TIMEOUT] =
    g_param_spec_uint ("stall-timeout", "Stall timeout", "How long, in milliseconds, vmem_virtio_mem_resize_async() waits for the guest to make progress before it gives up with VMEM_ERROR_STALLED", 1, G_MAXUINT, DEFAULT_STALL_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vmem_virtio_mem_init (VmemVirtioMem *self)
{
  self->stall_timeout = DEFAULT_STALL_TIMEOUT_MS;
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
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

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
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  if (self->address_base != base)
    {
      self->address_base = base;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS_BASE]);
    }
}

/**
 * vmem_virtio_mem_get_dynamic_memslots:
 * @self: a #VmemVirtioMem
 *
 * Gives the #VmemVirtioMem:dynamic-memslots of the device.
 *
 * Returns: whether QEMU maps the region with memory slots as needed
 *
 * Since: 0.1
 */
VmemTristate
vmem_virtio_mem_get_dynamic_memslots (VmemVirtioMem *self)
{
  g_return_val_if_fail (VMEM_IS_VIRTIO_MEM (self), VMEM_TRISTATE_DEFAULT);

  return self->dynamic_memslots;
}

/**
 * vmem_virtio_mem_set_dynamic_memslots:
 * @self: a #VmemVirtioMem
 * @dynamic_memslots: whether QEMU maps the region with memory slots as
 *   needed, or %VMEM_TRISTATE_DEFAULT
 *
 * Sets the #VmemVirtioMem:dynamic-memslots of the device.
 *
 * Since: 0.1
 */
void
vmem_virtio_mem_set_dynamic_memslots (VmemVirtioMem *self,
                                      VmemTristate   dynamic_memslots)
{
  g_return_if_fail (VMEM_IS_VIRTIO_MEM (self));
  g_return_if_fail (dynamic_memslots <= VMEM_TRISTATE_NO);
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  if (self->dynamic_memslots != dynamic_memslots)
    {
      self->dynamic_memslots = dynamic_memslots;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DYNAMIC_MEMSLOTS]);
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

/**
 * vmem_virtio_mem_get_stall_timeout:
 * @self: a #VmemVirtioMem
 *
 * Gives the #VmemVirtioMem:stall-timeout of the device.
 *
 * Returns: the stall timeout in milliseconds
 *
 * Since: 0.1
 */
guint
vmem_virtio_mem_get_stall_timeout (VmemVirtioMem *self)
{
  g_return_val_if_fail (VMEM_IS_VIRTIO_MEM (self), 0);

  return self->stall_timeout;
}

/**
 * vmem_virtio_mem_set_stall_timeout:
 * @self: a #VmemVirtioMem
 * @msec: the stall timeout in milliseconds, at least 1
 *
 * Sets the #VmemVirtioMem:stall-timeout of the device.
 *
 * Since: 0.1
 */
void
vmem_virtio_mem_set_stall_timeout (VmemVirtioMem *self,
                                   guint          msec)
{
  g_return_if_fail (VMEM_IS_VIRTIO_MEM (self));
  g_return_if_fail (msec > 0);

  if (self->stall_timeout != msec)
    {
      self->stall_timeout = msec;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALL_TIMEOUT]);
    }
}

/**
 * vmem_virtio_mem_set_requested_size:
 * @self: a live #VmemVirtioMem, a device of a #VmemDomain
 * @size: the new requested size, in bytes
 * @flags: what to change: the running domain, its configuration, or both
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError, or %NULL
 *
 * Asks the guest for a new requested size, blocking until libvirt took
 * it. The size is checked first with
 * vmem_virtio_mem_check_requested_size(): nothing is sent when it is
 * wrong. libvirt then gets the device's XML with only `<requested>`
 * changed, and #VmemVirtioMem:requested-size follows.
 *
 * The guest plugs or unplugs memory afterwards, at its own pace:
 * #VmemVirtioMem:current-size and #VmemDomain::memory-device-size-changed
 * show it, and vmem_virtio_mem_resize_async() waits for it.
 *
 * This is a command to the guest, for live devices only. A description
 * (read from XML, made with vmem_virtio_mem_new(), or a copy) takes its
 * requested size as the #VmemVirtioMem:requested-size property, and is
 * refused here with %VMEM_ERROR_NOT_SUPPORTED. A live device its domain
 * removed is refused with %VMEM_ERROR_NOT_FOUND. Nothing changes then.
 *
 * Returns: %TRUE if the size was taken; %FALSE with %VMEM_ERROR_NOT_ALIGNED
 *   or %VMEM_ERROR_OUT_OF_RANGE for a wrong size, %VMEM_ERROR_NOT_RUNNING
 *   for a live change to a stopped domain, %VMEM_ERROR_NOT_SUPPORTED for a
 *   description, %VMEM_ERROR_NOT_FOUND when the device left its domain,
 *   or libvirt's error
 *
 * Since: 0.1
 */
gboolean
vmem_virtio_mem_set_requested_size (VmemVirtioMem    *self,
                                    guint64           size,
                                    VmemAffectFlags   flags,
                                    GCancellable     *cancellable,
                                    GError          **error)
{
  g_autoptr(VmemDomain) domain = NULL;

  g_return_val_if_fail (VMEM_IS_VIRTIO_MEM (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!vmem_virtio_mem_check_requested_size (self, size, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  domain = _vmem_memory_device_dup_live_domain (VMEM_MEMORY_DEVICE (self), error);
  if (domain == NULL)
    return FALSE;

  return _vmem_domain_set_requested_size (domain, VMEM_MEMORY_DEVICE (self), size, flags, error);
}

static void
set_requested_done (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (_vmem_domain_set_requested_size_finish (VMEM_DOMAIN (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vmem_virtio_mem_set_requested_size_async:
 * @self: a live #VmemVirtioMem, a device of a #VmemDomain
 * @size: the new requested size, in bytes
 * @flags: what to change
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when libvirt took the size, or not
 * @user_data: data for @callback
 *
 * Asks the guest for a new requested size without blocking; see
 * vmem_virtio_mem_set_requested_size().
 *
 * Since: 0.1
 */
void
vmem_virtio_mem_set_requested_size_async (VmemVirtioMem       *self,
                                          guint64              size,
                                          VmemAffectFlags      flags,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(VmemDomain) domain = NULL;
  GError *error = NULL;

  g_return_if_fail (VMEM_IS_VIRTIO_MEM (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmem_virtio_mem_set_requested_size_async);
  g_task_set_check_cancellable (task, TRUE);

  if (!vmem_virtio_mem_check_requested_size (self, size, &error) ||
      (domain = _vmem_memory_device_dup_live_domain (VMEM_MEMORY_DEVICE (self), &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  _vmem_domain_set_requested_size_async (domain, VMEM_MEMORY_DEVICE (self), size, flags,
                                         cancellable, set_requested_done, g_steal_pointer (&task));
}

/**
 * vmem_virtio_mem_set_requested_size_finish:
 * @self: a #VmemVirtioMem
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes vmem_virtio_mem_set_requested_size_async().
 *
 * Returns: %TRUE if the size was taken
 *
 * Since: 0.1
 */
gboolean
vmem_virtio_mem_set_requested_size_finish (VmemVirtioMem  *self,
                                           GAsyncResult   *result,
                                           GError        **error)
{
  g_return_val_if_fail (VMEM_IS_VIRTIO_MEM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmem_virtio_mem_set_requested_size_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Resize and wait. */

typedef struct
{
  VmemDomain     *domain;
  VmemConnection *connection;
  guint64         size;
  guint64         last_current;
  GSource        *stall_source;
  GSource        *cancel_source;
  gulong          current_handler;
  gulong          state_handler;
  gulong          closed_handler;
  gboolean        checking;
  gboolean        requested;   /* libvirt took the size */
  gboolean        done;
} Resize;

static void
resize_free (gpointer data)
{
  Resize *resize = data;

  g_clear_object (&resize->domain);
  g_clear_object (&resize->connection);
  g_free (resize);
}

/* Disconnects everything, so the task ends once and the device stays
 * usable for the next resize. */
static void
resize_stop_watching (GTask *task)
{
  Resize *resize = g_task_get_task_data (task);
  VmemVirtioMem *self = g_task_get_source_object (task);

  g_clear_signal_handler (&resize->current_handler, self);
  g_clear_signal_handler (&resize->state_handler, resize->domain);
  g_clear_signal_handler (&resize->closed_handler, resize->connection);
  if (resize->stall_source != NULL)
    {
      g_source_destroy (resize->stall_source);
      g_clear_pointer (&resize->stall_source, g_source_unref);
    }
  if (resize->cancel_source != NULL)
    {
      g_source_destroy (resize->cancel_source);
      g_clear_pointer (&resize->cancel_source, g_source_unref);
    }
}

static void
resize_return (GTask  *task,
               GError *error)
{
  Resize *resize = g_task_get_task_data (task);

  if (resize->done)
    {
      g_clear_error (&error);
      return;
    }

  resize->done = TRUE;
  resize_stop_watching (task);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);

  /* The signal handlers and sources held the task. */
  g_object_unref (task);
}

static gboolean resize_stalled (gpointer user_data);

static void
resize_arm_stall_timer (GTask *task)
{
  Resize *resize = g_task_get_task_data (task);
  VmemVirtioMem *self = g_task_get_source_object (task);

  if (resize->stall_source != NULL)
    {
      g_source_destroy (resize->stall_source);
      g_source_unref (resize->stall_source);
    }

  resize->stall_source = g_timeout_source_new (self->stall_timeout);
  g_source_set_callback (resize->stall_source, resize_stalled, task, NULL);
  g_source_attach (resize->stall_source, g_task_get_context (task));
}

/* Whether the guest reached the size; progress restarts the stall timer. */
static gboolean
resize_check (GTask *task)
{
  Resize *resize = g_task_get_task_data (task);
  VmemVirtioMem *self = g_task_get_source_object (task);

  /* The guest may report the size before libvirt's answer to the request
   * reaches this context: the resize is done once both came, so that the
   * device's requested-size says the size when it completes. */
  if (!resize->requested)
    return FALSE;

  if (self->current_size == resize->size)
    {
      resize_return (task, NULL);
      return TRUE;
    }

  if (self->current_size != resize->last_current)
    {
      resize->last_current = self->current_size;
      resize_arm_stall_timer (task);
    }

  return FALSE;
}

static void
resize_current_changed (GObject    *object,
                        GParamSpec *pspec,
                        gpointer    user_data)
{
  resize_check (user_data);
}

static void
resize_state_changed (GObject    *object,
                      GParamSpec *pspec,
                      gpointer    user_data)
{
  GTask *task = user_data;
  Resize *resize = g_task_get_task_data (task);

  if (!vmem_domain_is_active (resize->domain))
    resize_return (task, g_error_new (VMEM_ERROR, VMEM_ERROR_NOT_RUNNING,
                                      "Domain '%s' stopped during the resize",
                                      vmem_domain_get_name (resize->domain)));
}

static void
resize_closed (VmemConnection  *connection,
               VmemCloseReason  reason,
               gpointer         user_data)
{
  resize_return (user_data, g_error_new (VMEM_ERROR, VMEM_ERROR_CLOSED,
                                         "The connection closed during the resize"));
}

static gboolean
resize_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  resize_return (user_data, error);
  return G_SOURCE_REMOVE;
}

static void
resize_checked (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Resize *resize = g_task_get_task_data (task);
  VmemVirtioMem *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  guint64 before = resize->last_current;

  resize->checking = FALSE;
  if (resize->done)
    {
      g_object_unref (task);
      return;
    }

  if (!vmem_domain_refresh_finish (VMEM_DOMAIN (object), result, &error))
    g_debug ("Could not read the device again: %s", error->message);

  if (!resize_check (task) && self->current_size == before)
    {
      g_autofree char *reached = vmem_size_format (self->current_size);
      g_autofree char *wanted = vmem_size_format (resize->size);

      resize_return (task, g_error_new (VMEM_ERROR, VMEM_ERROR_STALLED,
                                        "The guest stopped at %s of the %s requested from "
                                        "'%s': no progress for %u ms",
                                        reached, wanted,
                                        vmem_memory_device_get_alias (VMEM_MEMORY_DEVICE (self)),
                                        self->stall_timeout));
    }

  g_object_unref (task);
}

static gboolean
resize_stalled (gpointer user_data)
{
  GTask *task = user_data;
  Resize *resize = g_task_get_task_data (task);

  g_clear_pointer (&resize->stall_source, g_source_unref);

  /* Read the device once more before giving up: an event may have been
   * missed, and its size is what counts. */
  if (!resize->checking)
    {
      resize->checking = TRUE;
      vmem_domain_refresh_async (resize->domain, NULL, resize_checked, g_object_ref (task));
    }

  return G_SOURCE_REMOVE;
}

static void
resize_requested (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  VmemVirtioMem *self = VMEM_VIRTIO_MEM (object);
  GTask *task = user_data;
  Resize *resize = g_task_get_task_data (task);
  GError *error = NULL;

  if (!vmem_virtio_mem_set_requested_size_finish (self, result, &error))
    {
      resize_return (task, error);
      g_object_unref (task);
      return;
    }

  if (!resize->done)
    {
      resize->requested = TRUE;
      resize->last_current = self->current_size;
      if (!resize_check (task))
        resize_arm_stall_timer (task);
    }

  g_object_unref (task);
}

/**
 * vmem_virtio_mem_resize_async:
 * @self: a #VmemVirtioMem of a running #VmemDomain
 * @size: the size the guest should have, in bytes
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the guest has @size, or will not
 *   get there
 * @user_data: data for @callback
 *
 * Sets the requested size of the running domain's device, as
 * vmem_virtio_mem_set_requested_size() with %VMEM_AFFECT_LIVE, and
 * completes when the guest's plugged size, #VmemVirtioMem:current-size,
 * equals it. Meanwhile #VmemDomain::memory-device-size-changed reports
 * the progress.
 *
 * It fails with %VMEM_ERROR_STALLED, naming the size reached, when the
 * guest makes no progress for #VmemVirtioMem:stall-timeout milliseconds
 * (a guest without a virtio-mem driver never does); with
 * %VMEM_ERROR_NOT_RUNNING when the domain stops, and %VMEM_ERROR_CLOSED
 * when the connection closes. Cancelling stops the waiting; the device
 * stays usable, with the requested size it was given.
 *
 * Since: 0.1
 */
void
vmem_virtio_mem_resize_async (VmemVirtioMem       *self,
                              guint64              size,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GError *error = NULL;
  GTask *task;
  Resize *resize;

  g_return_if_fail (VMEM_IS_VIRTIO_MEM (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmem_virtio_mem_resize_async);

  resize = g_new0 (Resize, 1);
  resize->size = size;
  g_task_set_task_data (task, resize, resize_free);

  resize->domain = _vmem_memory_device_dup_live_domain (VMEM_MEMORY_DEVICE (self), &error);
  if (resize->domain == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (!vmem_domain_is_active (resize->domain))
    {
      g_task_return_new_error (task, VMEM_ERROR, VMEM_ERROR_NOT_RUNNING,
                               "Domain '%s' is not running",
                               vmem_domain_get_name (resize->domain));
      g_object_unref (task);
      return;
    }

  resize->connection = g_object_ref (vmem_domain_get_connection (resize->domain));

  /* The watchers hold the task's first reference until it ends. */
  resize->current_handler =
    g_signal_connect (self, "notify::current-size", G_CALLBACK (resize_current_changed), task);
  resize->state_handler =
    g_signal_connect (resize->domain, "notify::state", G_CALLBACK (resize_state_changed), task);
  resize->closed_handler =
    g_signal_connect (resize->connection, "closed", G_CALLBACK (resize_closed), task);
  if (cancellable != NULL)
    {
      resize->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (resize->cancel_source, G_SOURCE_FUNC (resize_cancelled), task, NULL);
      g_source_attach (resize->cancel_source, g_task_get_context (task));
    }

  vmem_virtio_mem_set_requested_size_async (self, size, VMEM_AFFECT_LIVE, NULL,
                                            resize_requested, g_object_ref (task));
}

/**
 * vmem_virtio_mem_resize_finish:
 * @self: a #VmemVirtioMem
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes vmem_virtio_mem_resize_async().
 *
 * Returns: %TRUE if the guest has the size
 *
 * Since: 0.1
 */
gboolean
vmem_virtio_mem_resize_finish (VmemVirtioMem  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (VMEM_IS_VIRTIO_MEM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmem_virtio_mem_resize_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
