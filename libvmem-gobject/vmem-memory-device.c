/* vmem-memory-device.c: the base class of memory devices
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-memory-device.h"

#include <string.h>

#include "vmem-dimm.h"
#include "vmem-enum-types.h"
#include "vmem-error.h"
#include "vmem-memory-device-private.h"
#include "vmem-nvdimm.h"
#include "vmem-private.h"
#include "vmem-sgx-epc.h"
#include "vmem-virtio-mem.h"
#include "vmem-virtio-pmem.h"

/**
 * SECTION:vmem-memory-device
 * @Title: VmemMemoryDevice
 * @Short_description: A memory device of a domain
 *
 * #VmemMemoryDevice is the base class of the memory devices libvirt
 * describes with a `<memory>` element: one subclass per #VmemMemoryModel
 * (#VmemDimm, #VmemNvdimm, #VmemVirtioPmem, #VmemVirtioMem, #VmemSgxEpc).
 * It holds what all models share: the alias libvirt gives the device, the
 * target size and NUMA node, the access mode, the address, and the
 * backing source.
 *
 * Sizes are bytes whatever unit the XML used. A device read from XML keeps
 * the elements and attributes the library does not model, and
 * vmem_memory_device_to_xml() writes them back, so a round trip through
 * the library loses nothing.
 *
 * Setting a property changes only this object; it is a description of a
 * device, not a handle on a running one.
 */

/**
 * VmemMemoryDevice:
 *
 * A memory device; an instance of one of the subclasses.
 *
 * Since: 0.1
 */

typedef struct
{
  char              *alias;
  guint64            size;
  guint64            source_pagesize;
  guint64            source_alignsize;
  char              *source_nodemask;
  char              *source_path;
  VmemDeviceAddress *address;
  GArray            *extras;
  /* The live device's domain, which owns it: the domain clears it when
   * it lets the device go (_vmem_memory_device_orphan()), so that it never
   * dangles, without a weak reference's cost. Main context only. */
  VmemDomain        *domain;
  int                node;
  VmemMemoryAccess   access : 8;
  VmemTristate       discard : 8;
  guint              source_pmem : 1;
  /* A device of a VmemDomain, not a description: read-only, and it keeps
   * being one after its domain lost it (it is then orphaned). */
  guint              live : 1;
  guint              orphaned : 1;
  /* The domain is bringing it up to date: its setters are the domain's. */
  guint              updating : 1;
} VmemMemoryDevicePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (VmemMemoryDevice, vmem_memory_device, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_ALIAS,
  PROP_SIZE,
  PROP_NODE,
  PROP_ACCESS,
  PROP_DISCARD,
  PROP_ADDRESS,
  PROP_SOURCE_PAGESIZE,
  PROP_SOURCE_NODEMASK,
  PROP_SOURCE_PATH,
  PROP_SOURCE_ALIGNSIZE,
  PROP_SOURCE_PMEM,
  PROP_DOMAIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define OPS(self) \
  ((const VmemMemoryDeviceOps *) VMEM_MEMORY_DEVICE_GET_CLASS (self)->_vmem_private[0])

void
_vmem_memory_device_class_set_ops (VmemMemoryDeviceClass     *klass,
                                   const VmemMemoryDeviceOps *ops)
{
  klass->_vmem_private[0] = (gpointer) ops;
}

static gboolean
vmem_memory_device_real_validate (VmemMemoryDevice  *self,
                                  GError           **error)
{
  VmemMemoryDevicePrivate *priv = vmem_memory_device_get_instance_private (self);

  if (priv->size == 0)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_OUT_OF_RANGE,
                           "The memory device has no size");
      return FALSE;
    }

  return TRUE;
}

static void
vmem_memory_device_finalize (GObject *object)
{
  VmemMemoryDevice *self = VMEM_MEMORY_DEVICE (object);
  VmemMemoryDevicePrivate *priv = vmem_memory_device_get_instance_private (self);

  g_free (priv->alias);
  g_free (priv->source_nodemask);
  g_free (priv->source_path);
  g_clear_pointer (&priv->address, vmem_device_address_free);
  g_clear_pointer (&priv->extras, g_array_unref);

  G_OBJECT_CLASS (vmem_memory_device_parent_class)->finalize (object);
}

static void
vmem_memory_device_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  VmemMemoryDevice *self = VMEM_MEMORY_DEVICE (object);
  VmemMemoryDevicePrivate *priv = vmem_memory_device_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_enum (value, vmem_memory_device_get_model (self));
      break;
    case PROP_ALIAS:
      g_value_set_string (value, priv->alias);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, priv->size);
      break;
    case PROP_NODE:
      g_value_set_int (value, priv->node);
      break;
    case PROP_ACCESS:
      g_value_set_enum (value, priv->access);
      break;
    case PROP_DISCARD:
      g_value_set_enum (value, priv->discard);
      break;
    case PROP_ADDRESS:
      g_value_set_boxed (value, priv->address);
      break;
    case PROP_SOURCE_PAGESIZE:
      g_value_set_uint64 (value, priv->source_pagesize);
      break;
    case PROP_SOURCE_NODEMASK:
      g_value_set_string (value, priv->source_nodemask);
      break;
    case PROP_SOURCE_PATH:
      g_value_set_string (value, priv->source_path);
      break;
    case PROP_SOURCE_ALIGNSIZE:
      g_value_set_uint64 (value, priv->source_alignsize);
      break;
    case PROP_SOURCE_PMEM:
      g_value_set_boolean (value, priv->source_pmem);
      break;
    case PROP_DOMAIN:
      g_value_set_object (value, priv->domain);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_memory_device_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  VmemMemoryDevice *self = VMEM_MEMORY_DEVICE (object);

  switch (prop_id)
    {
    case PROP_ALIAS:
      vmem_memory_device_set_alias (self, g_value_get_string (value));
      break;
    case PROP_SIZE:
      vmem_memory_device_set_size (self, g_value_get_uint64 (value));
      break;
    case PROP_NODE:
      vmem_memory_device_set_node (self, g_value_get_int (value));
      break;
    case PROP_ACCESS:
      vmem_memory_device_set_access (self, g_value_get_enum (value));
      break;
    case PROP_DISCARD:
      vmem_memory_device_set_discard (self, g_value_get_enum (value));
      break;
    case PROP_ADDRESS:
      vmem_memory_device_set_address (self, g_value_get_boxed (value));
      break;
    case PROP_SOURCE_PAGESIZE:
      vmem_memory_device_set_source_pagesize (self, g_value_get_uint64 (value));
      break;
    case PROP_SOURCE_NODEMASK:
      vmem_memory_device_set_source_nodemask (self, g_value_get_string (value));
      break;
    case PROP_SOURCE_PATH:
      vmem_memory_device_set_source_path (self, g_value_get_string (value));
      break;
    case PROP_SOURCE_ALIGNSIZE:
      vmem_memory_device_set_source_alignsize (self, g_value_get_uint64 (value));
      break;
    case PROP_SOURCE_PMEM:
      vmem_memory_device_set_source_pmem (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_memory_device_class_init (VmemMemoryDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vmem_memory_device_finalize;
  object_class->get_property = vmem_memory_device_get_property;
  object_class->set_property = vmem_memory_device_set_property;

  klass->validate = vmem_memory_device_real_validate;

  /**
   * VmemMemoryDevice:model:
   *
   * The model of the device; it is fixed by the device's class.
   *
   * Since: 0.1
   */
  properties[PROP_MODEL] =
    g_param_spec_enum ("model", "Model", "The model of the device; it is fixed by the device's class",
                       VMEM_TYPE_MEMORY_MODEL, VMEM_MEMORY_MODEL_DIMM,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * VmemMemoryDevice:alias:
   *
   * The name libvirt gives the device (`<alias name=.../>`), such as
   * "virtiomem0" or "dimm1", or %NULL when it has none. Running domains
   * always have one; libvirt keeps a user-set alias only when it starts
   * with "ua-".
   *
   * Since: 0.1
   */
  properties[PROP_ALIAS] =
    g_param_spec_string ("alias", "Alias", "The name libvirt gives the device (<alias name=.../>), such as \"virtiomem0\" or \"dimm1\", or NULL when it has none", NULL, rw);

  /**
   * VmemMemoryDevice:size:
   *
   * The target size in bytes; for a virtio-mem device, the most it can
   * ever plug.
   *
   * Since: 0.1
   */
  properties[PROP_SIZE] =
    g_param_spec_uint64 ("size", "Size", "The target size in bytes; for a virtio-mem device, the most it can ever plug", 0, G_MAXUINT64, 0, rw);

  /**
   * VmemMemoryDevice:node:
   *
   * The guest NUMA node the memory is given to, or -1 when the XML names
   * none.
   *
   * Since: 0.1
   */
  properties[PROP_NODE] =
    g_param_spec_int ("node", "Node", "The guest NUMA node the memory is given to, or -1 when the XML names none", -1, G_MAXINT, -1, rw);

  /**
   * VmemMemoryDevice:access:
   *
   * How the backing memory is mapped on the host.
   *
   * Since: 0.1
   */
  properties[PROP_ACCESS] =
    g_param_spec_enum ("access", "Access", "How the backing memory is mapped on the host",
                       VMEM_TYPE_MEMORY_ACCESS, VMEM_MEMORY_ACCESS_DEFAULT, rw);

  /**
   * VmemMemoryDevice:discard:
   *
   * Whether the host discards the backing memory when the device goes
   * away.
   *
   * Since: 0.1
   */
  properties[PROP_DISCARD] =
    g_param_spec_enum ("discard", "Discard", "Whether the host discards the backing memory when the device goes away",
                       VMEM_TYPE_TRISTATE, VMEM_TRISTATE_DEFAULT, rw);

  /**
   * VmemMemoryDevice:address:
   *
   * Where the device sits on the guest's buses, or %NULL when libvirt
   * has not assigned an address yet.
   *
   * Since: 0.1
   */
  properties[PROP_ADDRESS] =
    g_param_spec_boxed ("address", "Address", "Where the device sits on the guest's buses, or NULL when libvirt has not assigned an address yet", VMEM_TYPE_DEVICE_ADDRESS, rw);

  /**
   * VmemMemoryDevice:source-pagesize:
   *
   * The host page size backing the device, in bytes, or 0 for the
   * default (`<source><pagesize>`).
   *
   * Since: 0.1
   */
  properties[PROP_SOURCE_PAGESIZE] =
    g_param_spec_uint64 ("source-pagesize", "Source pagesize", "The host page size backing the device, in bytes, or 0 for the default (<source><pagesize>)", 0, G_MAXUINT64, 0, rw);

  /**
   * VmemMemoryDevice:source-nodemask:
   *
   * The host NUMA nodes to allocate the backing memory from, such as
   * "1-3", or %NULL (`<source><nodemask>`).
   *
   * Since: 0.1
   */
  properties[PROP_SOURCE_NODEMASK] =
    g_param_spec_string ("source-nodemask", "Source nodemask", "The host NUMA nodes to allocate the backing memory from, such as \"1-3\", or NULL (<source><nodemask>)", NULL, rw);

  /**
   * VmemMemoryDevice:source-path:
   *
   * The file backing an nvdimm or virtio-pmem device, or %NULL
   * (`<source><path>`).
   *
   * Since: 0.1
   */
  properties[PROP_SOURCE_PATH] =
    g_param_spec_string ("source-path", "Source path", "The file backing an nvdimm or virtio-pmem device, or NULL (<source><path>)", NULL, rw);

  /**
   * VmemMemoryDevice:source-alignsize:
   *
   * The alignment of the backing file's mapping, in bytes, or 0
   * (`<source><alignsize>`).
   *
   * Since: 0.1
   */
  properties[PROP_SOURCE_ALIGNSIZE] =
    g_param_spec_uint64 ("source-alignsize", "Source alignsize", "The alignment of the backing file's mapping, in bytes, or 0 (<source><alignsize>)", 0, G_MAXUINT64, 0, rw);

  /**
   * VmemMemoryDevice:source-pmem:
   *
   * Whether the backing file is real persistent memory
   * (`<source><pmem/>`).
   *
   * Since: 0.1
   */
  properties[PROP_SOURCE_PMEM] =
    g_param_spec_boolean ("source-pmem", "Source pmem", "Whether the backing file is real persistent memory (<source><pmem/>)", FALSE, rw);

  /**
   * VmemMemoryDevice:domain:
   *
   * The #VmemDomain a live device belongs to; %NULL for a description,
   * and for a live device its domain removed. See
   * vmem_memory_device_is_live().
   *
   * Since: 0.1
   */
  properties[PROP_DOMAIN] =
    g_param_spec_object ("domain", "Domain", "The VmemDomain a live device belongs to; NULL for a description, and for a live device its domain removed", VMEM_TYPE_DOMAIN,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vmem_memory_device_init (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv = vmem_memory_device_get_instance_private (self);

  priv->node = -1;
}

VmemDomain *
_vmem_memory_device_dup_domain (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv = vmem_memory_device_get_instance_private (self);

  return priv->domain != NULL ? g_object_ref (priv->domain) : NULL;
}

/*
 * _vmem_memory_device_dup_live_domain:
 *
 * The domain a command on @self must reach, or %NULL with an error: a
 * description belongs to no domain (%VMEM_ERROR_NOT_SUPPORTED), and a live
 * device whose domain removed it, or whose domain is gone, reaches no
 * guest any more (%VMEM_ERROR_NOT_FOUND).
 */
VmemDomain *
_vmem_memory_device_dup_live_domain (VmemMemoryDevice  *self,
                                     GError           **error)
{
  VmemMemoryDevicePrivate *priv = vmem_memory_device_get_instance_private (self);
  VmemDomain *domain;

  if (!priv->live)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_SUPPORTED,
                   "Device '%s' is a description, not a device of a domain: "
                   "find the device in its VmemDomain to change the guest",
                   priv->alias ? priv->alias : "");
      return NULL;
    }

  domain = priv->domain != NULL ? g_object_ref (priv->domain) : NULL;
  if (domain == NULL)
    g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_FOUND,
                 "Device '%s' no longer belongs to a domain: it was removed, "
                 "or its domain is gone",
                 priv->alias ? priv->alias : "");
  return domain;
}

/*
 * _vmem_memory_device_adopt:
 *
 * Makes @self, a device just read for @domain and held by nobody else, a
 * live device of @domain: read-only, and reaching the guest through the
 * domain. The domain's store holds it; it points back to the domain
 * without a reference, until the domain orphans it.
 */
void
_vmem_memory_device_adopt (VmemMemoryDevice *self,
                           VmemDomain       *domain)
{
  VmemMemoryDevicePrivate *priv = vmem_memory_device_get_instance_private (self);

  priv->live = TRUE;
  priv->domain = domain;
}

/*
 * _vmem_memory_device_report_size:
 *
 * libvirt reported the size the guest has of the device: a virtio-mem
 * device's current size. The other models have no size that moves.
 */
void
_vmem_memory_device_report_size (VmemMemoryDevice *self,
                                 guint64           size)
{
  if (OPS (self)->report_size != NULL)
    OPS (self)->report_size (self, size);
}

/*
 * _vmem_memory_device_orphan:
 *
 * The domain removed the device: it stays read-only and refuses commands.
 */
void
_vmem_memory_device_orphan (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv = vmem_memory_device_get_instance_private (self);

  if (!priv->orphaned)
    {
      priv->orphaned = TRUE;
      priv->domain = NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOMAIN]);
    }
}

gboolean
_vmem_memory_device_is_editable (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv = vmem_memory_device_get_instance_private (self);

  if (priv->live && !priv->updating)
    {
      g_critical ("Device '%s' is a live device of a domain and cannot be edited: "
                  "edit a copy (vmem_memory_device_copy()), or use the domain's commands",
                  priv->alias ? priv->alias : "");
      return FALSE;
    }

  return TRUE;
}

/**
 * vmem_memory_device_is_live:
 * @self: a #VmemMemoryDevice
 *
 * Whether @self is a device of a #VmemDomain, kept current by libvirt's
 * events and read-only, rather than a description: one read from XML,
 * made with a model's `_new()` function, or copied with
 * vmem_memory_device_copy(). A live device stays live, and refuses
 * commands, once its domain removed it.
 *
 * Returns: %TRUE for a device of a domain
 *
 * Since: 0.1
 */
gboolean
vmem_memory_device_is_live (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), FALSE);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->live;
}

/**
 * vmem_memory_device_copy:
 * @self: a #VmemMemoryDevice
 *
 * Copies a device into a description that can be edited and attached:
 * the same model and values, the unknown XML included, and no domain.
 *
 * Returns: (transfer full): a new description equal to @self
 *
 * Since: 0.1
 */
VmemMemoryDevice *
vmem_memory_device_copy (VmemMemoryDevice *self)
{
  VmemMemoryDevice *copy;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), NULL);

  copy = g_object_new (G_OBJECT_TYPE (self), NULL);
  _vmem_memory_device_update_from (copy, self);
  return copy;
}

/*
 * _vmem_memory_device_update_from:
 *
 * Makes @self describe what @other, a fresh read of the same device,
 * describes, notifying each property that changes: objects that an
 * application holds, or a list view shows, stay the same objects.
 */
void
_vmem_memory_device_update_from (VmemMemoryDevice *self,
                                 VmemMemoryDevice *other)
{
  VmemMemoryDevicePrivate *priv = vmem_memory_device_get_instance_private (self);
  VmemMemoryDevicePrivate *other_priv = vmem_memory_device_get_instance_private (other);
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  g_return_if_fail (G_OBJECT_TYPE (self) == G_OBJECT_TYPE (other));

  g_object_freeze_notify (G_OBJECT (self));
  priv->updating = TRUE;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      /* The base class's properties, all read from XML; each model
       * takes its own in update_from(), leaving settings such as a
       * stall timeout alone. */
      if (pspecs[i]->owner_type != VMEM_TYPE_MEMORY_DEVICE ||
          (pspecs[i]->flags & G_PARAM_WRITABLE) == 0 ||
          (pspecs[i]->flags & G_PARAM_CONSTRUCT_ONLY) != 0)
        continue;

      /* The setters notify only when the value changes. */
      g_value_init (&value, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (other), pspecs[i]->name, &value);
      g_object_set_property (G_OBJECT (self), pspecs[i]->name, &value);
    }

  if (OPS (self)->update_from != NULL)
    OPS (self)->update_from (self, other);

  g_clear_pointer (&priv->extras, g_array_unref);
  priv->extras = vmem_xml_extras_copy (other_priv->extras);

  priv->updating = FALSE;
  g_object_thaw_notify (G_OBJECT (self));
}

static GType
model_get_type (VmemMemoryModel model)
{
  switch (model)
    {
    case VMEM_MEMORY_MODEL_DIMM:
      return VMEM_TYPE_DIMM;
    case VMEM_MEMORY_MODEL_NVDIMM:
      return VMEM_TYPE_NVDIMM;
    case VMEM_MEMORY_MODEL_VIRTIO_PMEM:
      return VMEM_TYPE_VIRTIO_PMEM;
    case VMEM_MEMORY_MODEL_VIRTIO_MEM:
      return VMEM_TYPE_VIRTIO_MEM;
    case VMEM_MEMORY_MODEL_SGX_EPC:
      return VMEM_TYPE_SGX_EPC;
    default:
      g_assert_not_reached ();
    }
}

gboolean
_vmem_memory_device_parse_enum_attr (VmemXmlNode  *node,
                                     const char   *name,
                                     GType         type,
                                     int           absent,
                                     int          *out,
                                     GError      **error)
{
  const char *text = vmem_xml_node_attr (node, name);
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value;

  *out = absent;
  if (text == NULL)
    return TRUE;

  klass = g_type_class_ref (type);
  value = g_enum_get_value_by_nick (klass, text);
  if (value == NULL || value->value == absent)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_XML,
                   "Invalid %s '%s' in <%s>", name, text, node->name);
      return FALSE;
    }

  *out = value->value;
  return TRUE;
}

static gboolean
parse_source (VmemMemoryDevicePrivate  *priv,
              VmemXmlNode              *source,
              GError                  **error)
{
  if (!vmem_xml_child_size (source, "pagesize", &priv->source_pagesize, error) ||
      !vmem_xml_child_size (source, "alignsize", &priv->source_alignsize, error))
    return FALSE;

  vmem_xml_child_text (source, "nodemask", &priv->source_nodemask);
  vmem_xml_child_text (source, "path", &priv->source_path);
  priv->source_pmem = vmem_xml_node_child (source, "pmem") != NULL;
  return TRUE;
}

VmemMemoryDevice *
_vmem_memory_device_new_from_node (VmemXmlNode  *memory,
                                   GError      **error)
{
  g_autoptr(VmemMemoryDevice) self = NULL;
  g_autoptr(GEnumClass) models = NULL;
  VmemMemoryDevicePrivate *priv;
  VmemXmlNode *source, *target, *alias, *address;
  const char *model;
  GEnumValue *value;
  int access, discard;

  model = vmem_xml_node_attr (memory, "model");
  if (model == NULL)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_UNSUPPORTED_MODEL,
                           "The <memory> element has no model");
      return NULL;
    }

  models = g_type_class_ref (VMEM_TYPE_MEMORY_MODEL);
  value = g_enum_get_value_by_nick (models, model);
  if (value == NULL)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_UNSUPPORTED_MODEL,
                   "Unsupported memory model '%s'", model);
      return NULL;
    }

  self = g_object_new (model_get_type (value->value), NULL);
  priv = vmem_memory_device_get_instance_private (self);

  if (!_vmem_memory_device_parse_enum_attr (memory, "access", VMEM_TYPE_MEMORY_ACCESS,
                                            VMEM_MEMORY_ACCESS_DEFAULT, &access, error) ||
      !_vmem_memory_device_parse_enum_attr (memory, "discard", VMEM_TYPE_TRISTATE,
                                            VMEM_TRISTATE_DEFAULT, &discard, error))
    return NULL;
  priv->access = access;
  priv->discard = discard;

  source = vmem_xml_node_child (memory, "source");
  if (source != NULL && !parse_source (priv, source, error))
    return NULL;

  target = vmem_xml_node_child (memory, "target");
  if (target != NULL)
    {
      VmemXmlNode *node;

      if (!vmem_xml_child_size (target, "size", &priv->size, error))
        return NULL;

      node = vmem_xml_node_child (target, "node");
      if (node != NULL)
        {
          guint64 value64;

          if (!vmem_xml_parse_uint ("target node", vmem_xml_node_text (node),
                                    10, G_MAXINT, &value64, error))
            return NULL;
          priv->node = (int) value64;
        }
    }

  alias = vmem_xml_node_child (memory, "alias");
  if (alias != NULL)
    priv->alias = g_strdup (vmem_xml_node_attr (alias, "name"));

  address = vmem_xml_node_child (memory, "address");
  if (address != NULL)
    {
      priv->address = _vmem_device_address_new_from_node (address, error);
      if (priv->address == NULL)
        return NULL;
    }

  if (OPS (self)->parse != NULL && !OPS (self)->parse (self, memory, target, error))
    return NULL;

  priv->extras = vmem_xml_extras_collect (memory);
  return g_steal_pointer (&self);
}

static gboolean
read_one_device (gpointer      user_data,
                 guint         rule,
                 VmemXmlNode  *node,
                 GError      **error)
{
  VmemMemoryDevice **out = user_data;

  *out = _vmem_memory_device_new_from_node (node, error);
  return *out != NULL;
}

/**
 * vmem_memory_device_new_from_xml:
 * @xml: the XML of one `<memory>` element
 * @error: return location for a #GError, or %NULL
 *
 * Reads one memory device, as libvirt describes it in a domain's
 * `<devices>` or as `virsh dumpxml` prints it. The result is an instance
 * of the subclass for the device's model.
 *
 * Returns: (transfer full): the device, or %NULL with %VMEM_ERROR_INVALID_XML
 *   for malformed XML or another root element, %VMEM_ERROR_UNSUPPORTED_MODEL
 *   for an unknown model, or a size error (%VMEM_ERROR_INVALID_SIZE,
 *   %VMEM_ERROR_OVERFLOW)
 *
 * Since: 0.1
 */
VmemMemoryDevice *
vmem_memory_device_new_from_xml (const char  *xml,
                                 GError     **error)
{
  static const VmemXmlRule rules[] = {
    { -1, "memory", VMEM_XML_RULE_CAPTURE },
  };
  VmemMemoryDevice *device = NULL;

  g_return_val_if_fail (xml != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!vmem_xml_read (xml, -1, rules, G_N_ELEMENTS (rules), read_one_device, &device, error))
    {
      g_clear_object (&device);
      return NULL;
    }

  return device;
}

static void
write_source (VmemMemoryDevicePrivate *priv,
              VmemXmlWriter           *w)
{
  if (priv->source_nodemask == NULL && priv->source_pagesize == 0 &&
      priv->source_path == NULL && priv->source_alignsize == 0 &&
      !priv->source_pmem && !vmem_xml_extras_has_under (priv->extras, "source"))
    return;

  /* libvirt's order, for every model. */
  vmem_xml_writer_start (w, "source", "source", NULL);
  if (priv->source_nodemask != NULL)
    vmem_xml_writer_element (w, "source/nodemask", "nodemask", priv->source_nodemask, NULL);
  /* An element read with what the library does not know is written
   * back, even with its default value, so as to keep that. */
  if (priv->source_pagesize != 0 || vmem_xml_extras_has_under (priv->extras, "source/pagesize"))
    vmem_xml_writer_size (w, "source/pagesize", "pagesize", priv->source_pagesize);
  if (priv->source_path != NULL)
    vmem_xml_writer_element (w, "source/path", "path", priv->source_path, NULL);
  if (priv->source_alignsize != 0 || vmem_xml_extras_has_under (priv->extras, "source/alignsize"))
    vmem_xml_writer_size (w, "source/alignsize", "alignsize", priv->source_alignsize);
  if (priv->source_pmem)
    vmem_xml_writer_element (w, "source/pmem", "pmem", NULL, NULL);
  vmem_xml_writer_end (w, "source", "source");
}

const char *
_vmem_memory_device_enum_nick (GType type,
                               int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);

  /* Nicks are static strings of the type's data. */
  return v != NULL ? v->value_nick : NULL;
}

gboolean
_vmem_memory_device_parse_target_address (VmemXmlNode  *target,
                                          guint64      *out_base,
                                          GError      **error)
{
  VmemXmlNode *address = vmem_xml_node_child (target, "address");
  const char *base = address != NULL ? vmem_xml_node_attr (address, "base") : NULL;

  *out_base = 0;
  return base == NULL ||
         vmem_xml_parse_uint ("target address base", base, 16, G_MAXUINT64, out_base, error);
}

void
_vmem_memory_device_write_target_address (VmemXmlWriter *w,
                                          guint64        base)
{
  char text[24];

  if (base == 0 && !vmem_xml_extras_has_under (w->extras, "target/address"))
    return;

  g_snprintf (text, sizeof text, "0x%" G_GINT64_MODIFIER "x", base);
  vmem_xml_writer_element (w, "target/address", "address", NULL,
                           "base", base != 0 ? text : NULL, NULL);
}

/**
 * vmem_memory_device_to_xml:
 * @self: a #VmemMemoryDevice
 *
 * Writes the device as a `<memory>` element that libvirt accepts, in
 * libvirt's own layout, with sizes in KiB. Elements and attributes the
 * device was read with and the library does not model are written back.
 *
 * Returns: (transfer full): the XML of the device
 *
 * Since: 0.1
 */
char *
vmem_memory_device_to_xml (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;
  VmemXmlWriter w = { NULL, 0, NULL };
  const VmemMemoryDeviceOps *ops;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), NULL);

  priv = vmem_memory_device_get_instance_private (self);
  ops = OPS (self);
  w.out = g_string_sized_new (512);
  w.extras = priv->extras;

  vmem_xml_writer_start (&w, "", "memory",
                         "model", _vmem_memory_device_enum_nick (VMEM_TYPE_MEMORY_MODEL, ops->model),
                         "access", priv->access != VMEM_MEMORY_ACCESS_DEFAULT
                                   ? _vmem_memory_device_enum_nick (VMEM_TYPE_MEMORY_ACCESS, priv->access) : NULL,
                         "discard", priv->discard != VMEM_TRISTATE_DEFAULT
                                    ? _vmem_memory_device_enum_nick (VMEM_TYPE_TRISTATE, priv->discard) : NULL,
                         NULL);

  if (ops->write_head != NULL)
    ops->write_head (self, &w);

  write_source (priv, &w);

  vmem_xml_writer_start (&w, "target", "target",
                         ops->target_attribute,
                         ops->target_attribute != NULL ? ops->target_attribute_value (self) : NULL,
                         NULL);
  vmem_xml_writer_size (&w, "target/size", "size", priv->size);
  if (priv->node >= 0)
    {
      char node[16];

      g_snprintf (node, sizeof node, "%d", priv->node);
      vmem_xml_writer_element (&w, "target/node", "node", node, NULL);
    }
  if (ops->write_target != NULL)
    ops->write_target (self, &w);
  vmem_xml_writer_end (&w, "target", "target");

  if (priv->alias != NULL || vmem_xml_extras_has_under (priv->extras, "alias"))
    vmem_xml_writer_element (&w, "alias", "alias", NULL, "name", priv->alias, NULL);

  if (priv->address != NULL)
    _vmem_device_address_write (priv->address, &w);

  vmem_xml_writer_end (&w, "", "memory");

  return g_string_free (w.out, FALSE);
}

/**
 * vmem_memory_device_validate:
 * @self: a #VmemMemoryDevice
 * @error: return location for a #GError, or %NULL
 *
 * Checks the device against libvirt's rules for its model, before
 * anything is sent to libvirt: for a virtio-mem device, that the block
 * size is a power of two and the size and requested size are multiples
 * of it, with the requested size no larger than the size.
 *
 * Returns: %TRUE if the device is valid; %FALSE with an error whose code
 *   and message say which rule it breaks
 *
 * Since: 0.1
 */
gboolean
vmem_memory_device_validate (VmemMemoryDevice  *self,
                             GError           **error)
{
  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VMEM_MEMORY_DEVICE_GET_CLASS (self)->validate (self, error);
}

/* Whether a property is part of what the device's XML describes: a live
 * device's domain and a resize's patience are not. */
static gboolean
is_described (GParamSpec *pspec)
{
  return pspec != properties[PROP_DOMAIN] &&
         g_strcmp0 (pspec->name, "stall-timeout") != 0;
}

/**
 * vmem_memory_device_equal:
 * @a: a #VmemMemoryDevice
 * @b: a #VmemMemoryDevice
 *
 * Compares two devices as their XML describes them: their models, every
 * property read from XML, and what they keep of XML the library does not
 * model. A live device equals a description of it:
 * #VmemMemoryDevice:domain and #VmemVirtioMem:stall-timeout are not
 * compared.
 *
 * Returns: %TRUE if @a and @b describe the same device
 *
 * Since: 0.1
 */
gboolean
vmem_memory_device_equal (VmemMemoryDevice *a,
                          VmemMemoryDevice *b)
{
  g_autofree GParamSpec **pspecs = NULL;
  VmemMemoryDevicePrivate *priv_a, *priv_b;
  guint n_pspecs;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (a), FALSE);
  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (b), FALSE);

  if (a == b)
    return TRUE;
  if (G_OBJECT_TYPE (a) != G_OBJECT_TYPE (b))
    return FALSE;

  priv_a = vmem_memory_device_get_instance_private (a);
  priv_b = vmem_memory_device_get_instance_private (b);
  if (!vmem_xml_extras_equal (priv_a->extras, priv_b->extras))
    return FALSE;

  /* Every readable property of the class, the subclass's included. */
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      g_auto(GValue) va = G_VALUE_INIT;
      g_auto(GValue) vb = G_VALUE_INIT;
      gboolean same;

      if (!(pspecs[i]->flags & G_PARAM_READABLE) || !is_described (pspecs[i]))
        continue;

      g_value_init (&va, pspecs[i]->value_type);
      g_value_init (&vb, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (a), pspecs[i]->name, &va);
      g_object_get_property (G_OBJECT (b), pspecs[i]->name, &vb);

      if (pspecs[i]->value_type == VMEM_TYPE_DEVICE_ADDRESS)
        same = vmem_device_address_equal (g_value_get_boxed (&va), g_value_get_boxed (&vb));
      else
        same = g_param_values_cmp (pspecs[i], &va, &vb) == 0;

      if (!same)
        return FALSE;
    }

  return TRUE;
}

/**
 * vmem_memory_device_get_model:
 * @self: a #VmemMemoryDevice
 *
 * Gives the device's model.
 *
 * Returns: the #VmemMemoryModel
 *
 * Since: 0.1
 */
VmemMemoryModel
vmem_memory_device_get_model (VmemMemoryDevice *self)
{
  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), VMEM_MEMORY_MODEL_DIMM);

  return OPS (self)->model;
}

/**
 * vmem_memory_device_get_alias:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:alias of the device.
 *
 * Returns: (nullable): the alias, or %NULL
 *
 * Since: 0.1
 */
const char *
vmem_memory_device_get_alias (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), NULL);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->alias;
}

/**
 * vmem_memory_device_set_alias:
 * @self: a #VmemMemoryDevice
 * @alias: (nullable): the new alias
 *
 * Sets the #VmemMemoryDevice:alias of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_alias (VmemMemoryDevice *self,
                              const char       *alias)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  priv = vmem_memory_device_get_instance_private (self);
  if (_vmem_set_str (&priv->alias, alias))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALIAS]);
}

/**
 * vmem_memory_device_get_size:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:size of the device.
 *
 * Returns: the size in bytes
 *
 * Since: 0.1
 */
guint64
vmem_memory_device_get_size (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), 0);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->size;
}

/**
 * vmem_memory_device_set_size:
 * @self: a #VmemMemoryDevice
 * @size: the size in bytes
 *
 * Sets the #VmemMemoryDevice:size of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_size (VmemMemoryDevice *self,
                             guint64           size)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  priv = vmem_memory_device_get_instance_private (self);
  if (priv->size != size)
    {
      priv->size = size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
    }
}

/**
 * vmem_memory_device_get_node:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:node of the device.
 *
 * Returns: the guest NUMA node, or -1
 *
 * Since: 0.1
 */
int
vmem_memory_device_get_node (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), -1);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->node;
}

/**
 * vmem_memory_device_set_node:
 * @self: a #VmemMemoryDevice
 * @node: the guest NUMA node, or -1 for none
 *
 * Sets the #VmemMemoryDevice:node of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_node (VmemMemoryDevice *self,
                             int               node)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;
  g_return_if_fail (node >= -1);

  priv = vmem_memory_device_get_instance_private (self);
  if (priv->node != node)
    {
      priv->node = node;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NODE]);
    }
}

/**
 * vmem_memory_device_get_access:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:access of the device.
 *
 * Returns: the access mode
 *
 * Since: 0.1
 */
VmemMemoryAccess
vmem_memory_device_get_access (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), VMEM_MEMORY_ACCESS_DEFAULT);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->access;
}

/**
 * vmem_memory_device_set_access:
 * @self: a #VmemMemoryDevice
 * @access: the access mode
 *
 * Sets the #VmemMemoryDevice:access of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_access (VmemMemoryDevice *self,
                               VmemMemoryAccess  access)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;
  g_return_if_fail (access <= VMEM_MEMORY_ACCESS_PRIVATE);

  priv = vmem_memory_device_get_instance_private (self);
  if (priv->access != access)
    {
      priv->access = access;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCESS]);
    }
}

/**
 * vmem_memory_device_get_discard:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:discard of the device.
 *
 * Returns: whether memory is discarded
 *
 * Since: 0.1
 */
VmemTristate
vmem_memory_device_get_discard (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), VMEM_TRISTATE_DEFAULT);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->discard;
}

/**
 * vmem_memory_device_set_discard:
 * @self: a #VmemMemoryDevice
 * @discard: whether memory is discarded
 *
 * Sets the #VmemMemoryDevice:discard of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_discard (VmemMemoryDevice *self,
                                VmemTristate      discard)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;
  g_return_if_fail (discard <= VMEM_TRISTATE_NO);

  priv = vmem_memory_device_get_instance_private (self);
  if (priv->discard != discard)
    {
      priv->discard = discard;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISCARD]);
    }
}

/**
 * vmem_memory_device_get_address:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:address of the device.
 *
 * Returns: (nullable) (transfer none): the address, or %NULL
 *
 * Since: 0.1
 */
const VmemDeviceAddress *
vmem_memory_device_get_address (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), NULL);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->address;
}

/**
 * vmem_memory_device_set_address:
 * @self: a #VmemMemoryDevice
 * @address: (nullable): the new address, or %NULL to let libvirt choose
 *
 * Sets the #VmemMemoryDevice:address of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_address (VmemMemoryDevice        *self,
                                const VmemDeviceAddress *address)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  priv = vmem_memory_device_get_instance_private (self);
  if (vmem_device_address_equal (priv->address, address))
    return;

  g_clear_pointer (&priv->address, vmem_device_address_free);
  if (address != NULL)
    priv->address = vmem_device_address_copy (address);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
}

/**
 * vmem_memory_device_get_source_pagesize:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:source-pagesize of the device.
 *
 * Returns: the page size in bytes, or 0
 *
 * Since: 0.1
 */
guint64
vmem_memory_device_get_source_pagesize (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), 0);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->source_pagesize;
}

/**
 * vmem_memory_device_set_source_pagesize:
 * @self: a #VmemMemoryDevice
 * @pagesize: the page size in bytes, or 0
 *
 * Sets the #VmemMemoryDevice:source-pagesize of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_source_pagesize (VmemMemoryDevice *self,
                                        guint64           pagesize)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  priv = vmem_memory_device_get_instance_private (self);
  if (priv->source_pagesize != pagesize)
    {
      priv->source_pagesize = pagesize;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE_PAGESIZE]);
    }
}

/**
 * vmem_memory_device_get_source_nodemask:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:source-nodemask of the device.
 *
 * Returns: (nullable): the host node mask, or %NULL
 *
 * Since: 0.1
 */
const char *
vmem_memory_device_get_source_nodemask (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), NULL);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->source_nodemask;
}

/**
 * vmem_memory_device_set_source_nodemask:
 * @self: a #VmemMemoryDevice
 * @nodemask: (nullable): the host node mask, such as "0-1", or %NULL
 *
 * Sets the #VmemMemoryDevice:source-nodemask of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_source_nodemask (VmemMemoryDevice *self,
                                        const char       *nodemask)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  priv = vmem_memory_device_get_instance_private (self);
  if (_vmem_set_str (&priv->source_nodemask, nodemask))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE_NODEMASK]);
}

/**
 * vmem_memory_device_get_source_path:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:source-path of the device.
 *
 * Returns: (nullable) (type filename): the backing file, or %NULL
 *
 * Since: 0.1
 */
const char *
vmem_memory_device_get_source_path (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), NULL);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->source_path;
}

/**
 * vmem_memory_device_set_source_path:
 * @self: a #VmemMemoryDevice
 * @path: (nullable) (type filename): the backing file, or %NULL
 *
 * Sets the #VmemMemoryDevice:source-path of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_source_path (VmemMemoryDevice *self,
                                    const char       *path)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  priv = vmem_memory_device_get_instance_private (self);
  if (_vmem_set_str (&priv->source_path, path))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE_PATH]);
}

/**
 * vmem_memory_device_get_source_alignsize:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:source-alignsize of the device.
 *
 * Returns: the alignment in bytes, or 0
 *
 * Since: 0.1
 */
guint64
vmem_memory_device_get_source_alignsize (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), 0);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->source_alignsize;
}

/**
 * vmem_memory_device_set_source_alignsize:
 * @self: a #VmemMemoryDevice
 * @alignsize: the alignment in bytes, or 0
 *
 * Sets the #VmemMemoryDevice:source-alignsize of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_source_alignsize (VmemMemoryDevice *self,
                                         guint64           alignsize)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  priv = vmem_memory_device_get_instance_private (self);
  if (priv->source_alignsize != alignsize)
    {
      priv->source_alignsize = alignsize;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE_ALIGNSIZE]);
    }
}

/**
 * vmem_memory_device_get_source_pmem:
 * @self: a #VmemMemoryDevice
 *
 * Gives the #VmemMemoryDevice:source-pmem of the device.
 *
 * Returns: whether the backing file is persistent memory
 *
 * Since: 0.1
 */
gboolean
vmem_memory_device_get_source_pmem (VmemMemoryDevice *self)
{
  VmemMemoryDevicePrivate *priv;

  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (self), FALSE);

  priv = vmem_memory_device_get_instance_private (self);
  return priv->source_pmem;
}

/**
 * vmem_memory_device_set_source_pmem:
 * @self: a #VmemMemoryDevice
 * @pmem: whether the backing file is persistent memory
 *
 * Sets the #VmemMemoryDevice:source-pmem of the device.
 *
 * Since: 0.1
 */
void
vmem_memory_device_set_source_pmem (VmemMemoryDevice *self,
                                    gboolean          pmem)
{
  VmemMemoryDevicePrivate *priv;

  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  priv = vmem_memory_device_get_instance_private (self);
  pmem = !!pmem;
  if (priv->source_pmem != (guint) pmem)
    {
      priv->source_pmem = pmem;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE_PMEM]);
    }
}
