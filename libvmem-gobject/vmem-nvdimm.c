/* vmem-nvdimm.c: an NVDIMM memory device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-nvdimm.h"

#include "vmem-error.h"
#include "vmem-memory-device-private.h"
#include "vmem-private.h"

/**
 * SECTION:vmem-nvdimm
 * @Title: VmemNvdimm
 * @Short_description: An NVDIMM memory device
 *
 * An emulated NVDIMM, backed by the file in
 * #VmemMemoryDevice:source-path, plugged into a DIMM slot. It may carry
 * a namespace label area (#VmemNvdimm:label-size), be read-only, and on
 * ppc64 have a UUID.
 */

/**
 * VmemNvdimm:
 *
 * A memory device of model %VMEM_MEMORY_MODEL_NVDIMM.
 *
 * Since: 0.1
 */
struct _VmemNvdimm
{
  VmemMemoryDevice parent_instance;

  guint64  label_size;
  char    *uuid;
  gboolean readonly;
};

G_DEFINE_FINAL_TYPE (VmemNvdimm, vmem_nvdimm, VMEM_TYPE_MEMORY_DEVICE)

enum {
  PROP_0,
  PROP_LABEL_SIZE,
  PROP_READONLY,
  PROP_UUID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define MIN_LABEL_SIZE (128 * 1024)

static gboolean
vmem_nvdimm_parse (VmemMemoryDevice  *device,
                   VmemXmlNode       *memory,
                   VmemXmlNode       *target,
                   GError           **error)
{
  VmemNvdimm *self = VMEM_NVDIMM (device);

  vmem_xml_child_text (memory, "uuid", &self->uuid);

  if (target == NULL)
    return TRUE;

  self->readonly = vmem_xml_node_child (target, "readonly") != NULL;

  {
    VmemXmlNode *label = vmem_xml_node_child (target, "label");

    if (label != NULL && !vmem_xml_child_size (label, "size", &self->label_size, error))
      return FALSE;
  }

  return TRUE;
}

static void
vmem_nvdimm_write_head (VmemMemoryDevice *device,
                        VmemXmlWriter    *w)
{
  VmemNvdimm *self = VMEM_NVDIMM (device);

  if (self->uuid != NULL)
    vmem_xml_writer_element (w, "uuid", "uuid", self->uuid, NULL);
}

static void
vmem_nvdimm_write_target (VmemMemoryDevice *device,
                          VmemXmlWriter    *w)
{
  VmemNvdimm *self = VMEM_NVDIMM (device);

  if (self->label_size != 0 || vmem_xml_extras_has_under (w->extras, "target/label"))
    {
      vmem_xml_writer_start (w, "target/label", "label", NULL);
      if (self->label_size != 0 || vmem_xml_extras_has_under (w->extras, "target/label/size"))
        vmem_xml_writer_size (w, "target/label/size", "size", self->label_size);
      vmem_xml_writer_end (w, "target/label", "label");
    }

  if (self->readonly)
    vmem_xml_writer_element (w, "target/readonly", "readonly", NULL, NULL);
}

static void
vmem_nvdimm_update_from (VmemMemoryDevice *device,
                         VmemMemoryDevice *other)
{
  VmemNvdimm *self = VMEM_NVDIMM (device);
  VmemNvdimm *fresh = VMEM_NVDIMM (other);

  vmem_nvdimm_set_label_size (self, fresh->label_size);
  vmem_nvdimm_set_readonly (self, fresh->readonly);
  vmem_nvdimm_set_uuid (self, fresh->uuid);
}

static const VmemMemoryDeviceOps vmem_nvdimm_ops = {
  .model = VMEM_MEMORY_MODEL_NVDIMM,
  .parse = vmem_nvdimm_parse,
  .write_head = vmem_nvdimm_write_head,
  .write_target = vmem_nvdimm_write_target,
  .update_from = vmem_nvdimm_update_from,
};

static gboolean
vmem_nvdimm_validate (VmemMemoryDevice  *device,
                      GError           **error)
{
  VmemNvdimm *self = VMEM_NVDIMM (device);
  guint64 size = vmem_memory_device_get_size (device);

  if (!VMEM_MEMORY_DEVICE_CLASS (vmem_nvdimm_parent_class)->validate (device, error))
    return FALSE;

  /* libvirt's rules and messages. */
  if (vmem_memory_device_get_source_path (device) == NULL)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                           "path is required for model 'nvdimm'");
      return FALSE;
    }

  if (vmem_memory_device_get_discard (device) == VMEM_TRISTATE_YES)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                           "discard is not supported for nvdimms");
      return FALSE;
    }

  if (self->label_size != 0 && self->label_size < MIN_LABEL_SIZE)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_OUT_OF_RANGE,
                   "nvdimm label must be at least 128KiB, not %" G_GUINT64_FORMAT " bytes",
                   self->label_size);
      return FALSE;
    }

  if (self->label_size != 0 && self->label_size >= size)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_OUT_OF_RANGE,
                   "label size must be smaller than NVDIMM size (%" G_GUINT64_FORMAT
                   " >= %" G_GUINT64_FORMAT " bytes)", self->label_size, size);
      return FALSE;
    }

  return TRUE;
}

static void
vmem_nvdimm_finalize (GObject *object)
{
  VmemNvdimm *self = VMEM_NVDIMM (object);

  g_free (self->uuid);

  G_OBJECT_CLASS (vmem_nvdimm_parent_class)->finalize (object);
}

static void
vmem_nvdimm_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  VmemNvdimm *self = VMEM_NVDIMM (object);

  switch (prop_id)
    {
    case PROP_LABEL_SIZE:
      g_value_set_uint64 (value, self->label_size);
      break;
    case PROP_READONLY:
      g_value_set_boolean (value, self->readonly);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_nvdimm_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  VmemNvdimm *self = VMEM_NVDIMM (object);

  switch (prop_id)
    {
    case PROP_LABEL_SIZE:
      vmem_nvdimm_set_label_size (self, g_value_get_uint64 (value));
      break;
    case PROP_READONLY:
      vmem_nvdimm_set_readonly (self, g_value_get_boolean (value));
      break;
    case PROP_UUID:
      vmem_nvdimm_set_uuid (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_nvdimm_class_init (VmemNvdimmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VmemMemoryDeviceClass *device_class = VMEM_MEMORY_DEVICE_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vmem_nvdimm_finalize;
  object_class->get_property = vmem_nvdimm_get_property;
  object_class->set_property = vmem_nvdimm_set_property;

  device_class->validate = vmem_nvdimm_validate;
  _vmem_memory_device_class_set_ops (device_class, &vmem_nvdimm_ops);

  /**
   * VmemNvdimm:label-size:
   *
   * The size of the namespace label area in bytes, or 0 for none
   * (`<target><label><size>`). libvirt requires at least 128 KiB, and
   * less than the device's size.
   *
   * Since: 0.1
   */
  properties[PROP_LABEL_SIZE] =
    g_param_spec_uint64 ("label-size", "Label size", "The size of the namespace label area in bytes, or 0 for none (<target><label><size>)", 0, G_MAXUINT64, 0, rw);

  /**
   * VmemNvdimm:readonly:
   *
   * Whether the guest sees the NVDIMM read-only (`<target><readonly/>`).
   *
   * Since: 0.1
   */
  properties[PROP_READONLY] =
    g_param_spec_boolean ("readonly", "Readonly", "Whether the guest sees the NVDIMM read-only (<target><readonly/>)", FALSE, rw);

  /**
   * VmemNvdimm:uuid:
   *
   * The NVDIMM's UUID (ppc64 guests), or %NULL.
   *
   * Since: 0.1
   */
  properties[PROP_UUID] =
    g_param_spec_string ("uuid", "UUID", "The NVDIMM's UUID (ppc64 guests), or NULL", NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vmem_nvdimm_init (VmemNvdimm *self)
{
}

/**
 * vmem_nvdimm_new:
 *
 * Creates an empty device of this model, to fill in and hot-plug.
 *
 * Returns: (transfer full): a new #VmemNvdimm
 *
 * Since: 0.1
 */
VmemNvdimm *
vmem_nvdimm_new (void)
{
  return g_object_new (VMEM_TYPE_NVDIMM, NULL);
}

/**
 * vmem_nvdimm_get_label_size:
 * @self: a #VmemNvdimm
 *
 * Gives the #VmemNvdimm:label-size of the device.
 *
 * Returns: the label size in bytes, or 0
 *
 * Since: 0.1
 */
guint64
vmem_nvdimm_get_label_size (VmemNvdimm *self)
{
  g_return_val_if_fail (VMEM_IS_NVDIMM (self), 0);

  return self->label_size;
}

/**
 * vmem_nvdimm_set_label_size:
 * @self: a #VmemNvdimm
 * @label_size: the label size in bytes, or 0
 *
 * Sets the #VmemNvdimm:label-size of the device.
 *
 * Since: 0.1
 */
void
vmem_nvdimm_set_label_size (VmemNvdimm *self,
                            guint64     label_size)
{
  g_return_if_fail (VMEM_IS_NVDIMM (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  if (self->label_size != label_size)
    {
      self->label_size = label_size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL_SIZE]);
    }
}

/**
 * vmem_nvdimm_get_readonly:
 * @self: a #VmemNvdimm
 *
 * Gives the #VmemNvdimm:readonly of the device.
 *
 * Returns: whether the device is read-only
 *
 * Since: 0.1
 */
gboolean
vmem_nvdimm_get_readonly (VmemNvdimm *self)
{
  g_return_val_if_fail (VMEM_IS_NVDIMM (self), FALSE);

  return self->readonly;
}

/**
 * vmem_nvdimm_set_readonly:
 * @self: a #VmemNvdimm
 * @readonly: whether the device is read-only
 *
 * Sets the #VmemNvdimm:readonly of the device.
 *
 * Since: 0.1
 */
void
vmem_nvdimm_set_readonly (VmemNvdimm *self,
                          gboolean    readonly)
{
  g_return_if_fail (VMEM_IS_NVDIMM (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  readonly = !!readonly;
  if (self->readonly != readonly)
    {
      self->readonly = readonly;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READONLY]);
    }
}

/**
 * vmem_nvdimm_get_uuid:
 * @self: a #VmemNvdimm
 *
 * Gives the #VmemNvdimm:uuid of the device.
 *
 * Returns: (nullable): the UUID, or %NULL
 *
 * Since: 0.1
 */
const char *
vmem_nvdimm_get_uuid (VmemNvdimm *self)
{
  g_return_val_if_fail (VMEM_IS_NVDIMM (self), NULL);

  return self->uuid;
}

/**
 * vmem_nvdimm_set_uuid:
 * @self: a #VmemNvdimm
 * @uuid: (nullable): the UUID, or %NULL
 *
 * Sets the #VmemNvdimm:uuid of the device.
 *
 * Since: 0.1
 */
void
vmem_nvdimm_set_uuid (VmemNvdimm *self,
                      const char *uuid)
{
  g_return_if_fail (VMEM_IS_NVDIMM (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  if (_vmem_set_str (&self->uuid, uuid))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UUID]);
}
