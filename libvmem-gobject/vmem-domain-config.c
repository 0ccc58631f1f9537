/* vmem-domain-config.c: the memory view of a domain's XML
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-domain-config.h"
#include "vmem-domain-config-private.h"

#include <string.h>

#include "vmem-error.h"
#include "vmem-memory-device-private.h"
#include "vmem-numa-cell-private.h"
#include "vmem-private.h"

/**
 * SECTION:vmem-domain-config
 * @Title: VmemDomainConfig
 * @Short_description: The memory view of a domain's XML
 *
 * #VmemDomainConfig reads a libvirt domain XML document (from
 * `virsh dumpxml`, virDomainGetXMLDesc() or a file) and keeps what
 * concerns memory: `<maxMemory>` and its slots, `<memory>`,
 * `<currentMemory>`, the guest NUMA cells, and every memory device, as
 * objects of the #VmemMemoryDevice subclasses in document order.
 *
 * Only those parts are read into objects; the rest of the document
 * streams past the reader without being stored, so large documents are
 * cheap. A DOCTYPE, entities and anything else that could make a document
 * read files or grow without bound are refused with
 * %VMEM_ERROR_INVALID_XML.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GError) error = NULL;
 * g_autoptr(VmemDomainConfig) config = vmem_domain_config_new_from_xml (xml, &error);
 * GListModel *devices;
 *
 * if (config == NULL)
 *   g_error ("%s", error->message);
 *
 * devices = vmem_domain_config_get_memory_devices (config);
 * for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
 *   {
 *     g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, i);
 *
 *     if (VMEM_IS_VIRTIO_MEM (device))
 *       g_print ("%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes\n",
 *                vmem_memory_device_get_alias (device),
 *                vmem_virtio_mem_get_current_size (VMEM_VIRTIO_MEM (device)),
 *                vmem_memory_device_get_size (device));
 *   }
 * ]|
 */

/**
 * VmemDomainConfig:
 *
 * The memory view of one domain XML document. It does not change once
 * read.
 *
 * Since: 0.1
 */
struct _VmemDomainConfig
{
  GObject parent_instance;

  char       *name;
  char       *uuid;
  char       *arch;
  int         id;
  guint       max_memory_slots;
  guint64     max_memory;
  guint64     memory;
  guint64     current_memory;
  GListStore *numa_cells;
  GListStore *memory_devices;

  /* While reading: what goes into the stores in one splice each. */
  GPtrArray  *reading_cells;
  GPtrArray  *reading_devices;
};

G_DEFINE_FINAL_TYPE (VmemDomainConfig, vmem_domain_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_UUID,
  PROP_ID,
  PROP_ARCH,
  PROP_MAX_MEMORY,
  PROP_MAX_MEMORY_SLOTS,
  PROP_MEMORY,
  PROP_CURRENT_MEMORY,
  PROP_NUMA_CELLS,
  PROP_MEMORY_DEVICES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vmem_domain_config_finalize (GObject *object)
{
  VmemDomainConfig *self = VMEM_DOMAIN_CONFIG (object);

  g_free (self->name);
  g_free (self->uuid);
  g_free (self->arch);
  g_clear_object (&self->numa_cells);
  g_clear_object (&self->memory_devices);
  g_clear_pointer (&self->reading_cells, g_ptr_array_unref);
  g_clear_pointer (&self->reading_devices, g_ptr_array_unref);

  G_OBJECT_CLASS (vmem_domain_config_parent_class)->finalize (object);
}

static void
vmem_domain_config_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  VmemDomainConfig *self = VMEM_DOMAIN_CONFIG (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_ID:
      g_value_set_int (value, self->id);
      break;
    case PROP_ARCH:
      g_value_set_string (value, self->arch);
      break;
    case PROP_MAX_MEMORY:
      g_value_set_uint64 (value, self->max_memory);
      break;
    case PROP_MAX_MEMORY_SLOTS:
      g_value_set_uint (value, self->max_memory_slots);
      break;
    case PROP_MEMORY:
      g_value_set_uint64 (value, self->memory);
      break;
    case PROP_CURRENT_MEMORY:
      g_value_set_uint64 (value, self->current_memory);
      break;
    case PROP_NUMA_CELLS:
      g_value_set_object (value, self->numa_cells);
      break;
    case PROP_MEMORY_DEVICES:
      g_value_set_object (value, self->memory_devices);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_domain_config_class_init (VmemDomainConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vmem_domain_config_finalize;
  object_class->get_property = vmem_domain_config_get_property;

  /**
   * VmemDomainConfig:name:
   *
   * The domain's name, or %NULL when the XML has none.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] = g_param_spec_string ("name", "Name", "The domain's name, or NULL when the XML has none", NULL, ro);

  /**
   * VmemDomainConfig:uuid:
   *
   * The domain's UUID, or %NULL when the XML has none.
   *
   * Since: 0.1
   */
  properties[PROP_UUID] = g_param_spec_string ("uuid", "UUID", "The domain's UUID, or NULL when the XML has none", NULL, ro);

  /**
   * VmemDomainConfig:id:
   *
   * The domain's ID while it runs (the `id` attribute of live XML), or
   * -1 for inactive XML.
   *
   * Since: 0.1
   */
  properties[PROP_ID] = g_param_spec_int ("id", "ID", "The domain's ID while it runs (the id attribute of live XML), or -1 for inactive XML", -1, G_MAXINT, -1, ro);

  /**
   * VmemDomainConfig:arch:
   *
   * The guest architecture (`<os><type arch=...>`), or %NULL.
   *
   * Since: 0.1
   */
  properties[PROP_ARCH] = g_param_spec_string ("arch", "Arch", "The guest architecture (<os><type arch=...>), or NULL", NULL, ro);

  /**
   * VmemDomainConfig:max-memory:
   *
   * The most memory the guest may have with hot-plugged devices, in bytes
   * (`<maxMemory>`), or 0 when memory hot-plug is not enabled.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_MEMORY] =
    g_param_spec_uint64 ("max-memory", "Max memory", "The most memory the guest may have with hot-plugged devices, in bytes (<maxMemory>), or 0 when memory hot-plug is not enabled", 0, G_MAXUINT64, 0, ro);

  /**
   * VmemDomainConfig:max-memory-slots:
   *
   * The number of slots for hot-plugged memory devices
   * (`<maxMemory slots=...>`), or 0.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_MEMORY_SLOTS] =
    g_param_spec_uint ("max-memory-slots", "Max memory slots", "The number of slots for hot-plugged memory devices (<maxMemory slots=...>), or 0", 0, G_MAXUINT, 0, ro);

  /**
   * VmemDomainConfig:memory:
   *
   * The domain's memory at boot in bytes (`<memory>`), including the
   * sizes of its memory devices.
   *
   * Since: 0.1
   */
  properties[PROP_MEMORY] =
    g_param_spec_uint64 ("memory", "Memory", "The domain's memory at boot in bytes (<memory>), including the sizes of its memory devices", 0, G_MAXUINT64, 0, ro);

  /**
   * VmemDomainConfig:current-memory:
   *
   * The memory the guest is given with its balloon, in bytes
   * (`<currentMemory>`). It does not follow virtio-mem plugging.
   *
   * Since: 0.1
   */
  properties[PROP_CURRENT_MEMORY] =
    g_param_spec_uint64 ("current-memory", "Current memory", "The memory the guest is given with its balloon, in bytes (<currentMemory>)", 0, G_MAXUINT64, 0, ro);

  /**
   * VmemDomainConfig:numa-cells:
   *
   * The guest NUMA cells, a #GListModel of #VmemNumaCell.
   *
   * Since: 0.1
   */
  properties[PROP_NUMA_CELLS] =
    g_param_spec_object ("numa-cells", "NUMA cells", "The guest NUMA cells, a GListModel of VmemNumaCell", G_TYPE_LIST_MODEL, ro);

  /**
   * VmemDomainConfig:memory-devices:
   *
   * The memory devices in document order, a #GListModel of
   * #VmemMemoryDevice.
   *
   * Since: 0.1
   */
  properties[PROP_MEMORY_DEVICES] =
    g_param_spec_object ("memory-devices", "Memory devices", "The memory devices in document order, a GListModel of VmemMemoryDevice", G_TYPE_LIST_MODEL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vmem_domain_config_init (VmemDomainConfig *self)
{
  self->id = -1;
  self->numa_cells = g_list_store_new (VMEM_TYPE_NUMA_CELL);
  self->memory_devices = g_list_store_new (VMEM_TYPE_MEMORY_DEVICE);
}

enum {
  RULE_DOMAIN,
  RULE_NAME,
  RULE_UUID,
  RULE_MAX_MEMORY,
  RULE_MEMORY,
  RULE_CURRENT_MEMORY,
  RULE_OS,
  RULE_OS_TYPE,
  RULE_CPU,
  RULE_NUMA,
  RULE_CELL,
  RULE_DEVICES,
  RULE_DEVICE_MEMORY,
};

static const VmemXmlRule domain_rules[] = {
  [RULE_DOMAIN]         = { -1,           "domain",        VMEM_XML_RULE_DESCEND },
  [RULE_NAME]           = { RULE_DOMAIN,  "name",          VMEM_XML_RULE_CAPTURE },
  [RULE_UUID]           = { RULE_DOMAIN,  "uuid",          VMEM_XML_RULE_CAPTURE },
  [RULE_MAX_MEMORY]     = { RULE_DOMAIN,  "maxMemory",     VMEM_XML_RULE_CAPTURE },
  [RULE_MEMORY]         = { RULE_DOMAIN,  "memory",        VMEM_XML_RULE_CAPTURE },
  [RULE_CURRENT_MEMORY] = { RULE_DOMAIN,  "currentMemory", VMEM_XML_RULE_CAPTURE },
  [RULE_OS]             = { RULE_DOMAIN,  "os",            VMEM_XML_RULE_DESCEND },
  [RULE_OS_TYPE]        = { RULE_OS,      "type",          VMEM_XML_RULE_CAPTURE },
  [RULE_CPU]            = { RULE_DOMAIN,  "cpu",           VMEM_XML_RULE_DESCEND },
  [RULE_NUMA]           = { RULE_CPU,     "numa",          VMEM_XML_RULE_DESCEND },
  [RULE_CELL]           = { RULE_NUMA,    "cell",          VMEM_XML_RULE_CAPTURE },
  [RULE_DEVICES]        = { RULE_DOMAIN,  "devices",       VMEM_XML_RULE_DESCEND },
  [RULE_DEVICE_MEMORY]  = { RULE_DEVICES, "memory",        VMEM_XML_RULE_CAPTURE },
};

static gboolean
read_cell (VmemDomainConfig  *self,
           VmemXmlNode       *node,
           GError           **error)
{
  g_autoptr(VmemNumaCell) cell = NULL;
  const char *id_text = vmem_xml_node_attr (node, "id");
  const char *memory_text = vmem_xml_node_attr (node, "memory");
  guint64 id = self->reading_cells->len;
  guint64 memory = 0;

  /* libvirt numbers cells in order when the id is left out. */
  if (id_text != NULL &&
      !vmem_xml_parse_uint ("NUMA cell id", id_text, 10, G_MAXUINT, &id, error))
    return FALSE;

  if (memory_text != NULL &&
      !_vmem_size_from_strings (memory_text, vmem_xml_node_attr (node, "unit"),
                                "KiB", &memory, error))
    {
      g_prefix_error (error, "NUMA cell %" G_GUINT64_FORMAT " memory: ", id);
      return FALSE;
    }

  cell = _vmem_numa_cell_new (id, vmem_xml_node_attr (node, "cpus"), memory);
  g_ptr_array_add (self->reading_cells, g_steal_pointer (&cell));
  return TRUE;
}

static gboolean
read_domain_node (gpointer      user_data,
                  guint         rule,
                  VmemXmlNode  *node,
                  GError      **error)
{
  VmemDomainConfig *self = user_data;

  switch (rule)
    {
    case RULE_DOMAIN:
      {
        const char *id = vmem_xml_node_attr (node, "id");
        guint64 value;

        if (id != NULL)
          {
            if (!vmem_xml_parse_uint ("domain id", id, 10, G_MAXINT, &value, error))
              return FALSE;
            self->id = (int) value;
          }
        return TRUE;
      }

    case RULE_NAME:
      g_free (self->name);
      self->name = g_strdup (vmem_xml_node_text (node));
      return TRUE;

    case RULE_UUID:
      g_free (self->uuid);
      self->uuid = g_strdup (vmem_xml_node_text (node));
      return TRUE;

    case RULE_MAX_MEMORY:
      {
        const char *slots = vmem_xml_node_attr (node, "slots");
        guint64 value = 0;

        if (slots != NULL &&
            !vmem_xml_parse_uint ("maxMemory slots", slots, 10, G_MAXUINT, &value, error))
          return FALSE;
        self->max_memory_slots = value;
        return vmem_xml_node_get_size (node, &self->max_memory, error);
      }

    case RULE_MEMORY:
      return vmem_xml_node_get_size (node, &self->memory, error);

    case RULE_CURRENT_MEMORY:
      return vmem_xml_node_get_size (node, &self->current_memory, error);

    case RULE_OS_TYPE:
      g_free (self->arch);
      self->arch = g_strdup (vmem_xml_node_attr (node, "arch"));
      return TRUE;

    case RULE_CELL:
      return read_cell (self, node, error);

    case RULE_DEVICE_MEMORY:
      {
        g_autoptr(VmemMemoryDevice) device = _vmem_memory_device_new_from_node (node, error);

        if (device == NULL)
          {
            g_prefix_error (error, "Memory device %u: ", self->reading_devices->len + 1);
            return FALSE;
          }
        g_ptr_array_add (self->reading_devices, g_steal_pointer (&device));
        return TRUE;
      }

    default:
      return TRUE;
    }
}

static VmemDomainConfig *
config_new_for_reading (void)
{
  VmemDomainConfig *self = g_object_new (VMEM_TYPE_DOMAIN_CONFIG, NULL);

  self->reading_cells = g_ptr_array_new_with_free_func (g_object_unref);
  self->reading_devices = g_ptr_array_new_with_free_func (g_object_unref);
  return self;
}

static VmemDomainConfig *
config_finish_reading (VmemDomainConfig *self)
{
  g_list_store_splice (self->numa_cells, 0, 0,
                       self->reading_cells->pdata, self->reading_cells->len);
  g_list_store_splice (self->memory_devices, 0, 0,
                       self->reading_devices->pdata, self->reading_devices->len);
  g_clear_pointer (&self->reading_cells, g_ptr_array_unref);
  g_clear_pointer (&self->reading_devices, g_ptr_array_unref);
  return self;
}

/**
 * vmem_domain_config_new_from_xml:
 * @xml: a libvirt domain XML document
 * @error: return location for a #GError, or %NULL
 *
 * Reads the memory view of a domain XML document.
 *
 * Returns: (transfer full): the domain's memory configuration, or %NULL
 *   with %VMEM_ERROR_INVALID_XML for malformed or refused XML, or the error
 *   of the first memory device that could not be read
 *
 * Since: 0.1
 */
VmemDomainConfig *
vmem_domain_config_new_from_xml (const char  *xml,
                                 GError     **error)
{
  g_autoptr(VmemDomainConfig) self = NULL;

  g_return_val_if_fail (xml != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = config_new_for_reading ();
  if (!vmem_xml_read (xml, -1, domain_rules, G_N_ELEMENTS (domain_rules),
                      read_domain_node, self, error))
    return NULL;

  return config_finish_reading (g_steal_pointer (&self));
}

/*
 * _vmem_domain_config_new_from_libvirt_xml_only:
 *
 * The fast half of _vmem_domain_config_new_from_libvirt_xml(): the
 * configuration as vmem_xml_read_trusted() reads the @length bytes of
 * @xml, or %NULL, without an error, where that function falls back to the
 * full reader. The tests compare the two readers with it
 * (tests/test-readers.c, tests/fuzz/).
 */
VmemDomainConfig *
_vmem_domain_config_new_from_libvirt_xml_only (const char *xml,
                                               gsize       length)
{
  g_autoptr(VmemDomainConfig) self = config_new_for_reading ();

  if (!vmem_xml_read_trusted (xml, length, domain_rules, G_N_ELEMENTS (domain_rules),
                              read_domain_node, self))
    return NULL;

  return config_finish_reading (g_steal_pointer (&self));
}

/*
 * _vmem_domain_config_new_from_libvirt_xml:
 *
 * vmem_domain_config_new_from_xml() for XML that libvirt has just written
 * (virDomainGetXMLDesc()): the same result, read by
 * vmem_xml_read_trusted(), which skips what the memory view does not need
 * without tokenising it. A document outside the plain subset libvirt
 * writes, or one with an error, is read again by the full reader, from a
 * fresh object, so that the result and the error are always its own.
 */
VmemDomainConfig *
_vmem_domain_config_new_from_libvirt_xml (const char  *xml,
                                          gsize        length,
                                          GError     **error)
{
  VmemDomainConfig *self = _vmem_domain_config_new_from_libvirt_xml_only (xml, length);

  if (self != NULL)
    return self;

  g_debug ("Domain XML outside the plain subset libvirt writes: read again in full");
  return vmem_domain_config_new_from_xml (xml, error);
}

/**
 * vmem_domain_config_get_name:
 * @self: a #VmemDomainConfig
 *
 * Gives the #VmemDomainConfig:name of the domain.
 *
 * Returns: (nullable): the name
 *
 * Since: 0.1
 */
const char *
vmem_domain_config_get_name (VmemDomainConfig *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), NULL);

  return self->name;
}

/**
 * vmem_domain_config_get_uuid:
 * @self: a #VmemDomainConfig
 *
 * Gives the #VmemDomainConfig:uuid of the domain.
 *
 * Returns: (nullable): the UUID
 *
 * Since: 0.1
 */
const char *
vmem_domain_config_get_uuid (VmemDomainConfig *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), NULL);

  return self->uuid;
}

/**
 * vmem_domain_config_get_id:
 * @self: a #VmemDomainConfig
 *
 * Gives the #VmemDomainConfig:id of the domain.
 *
 * Returns: the domain ID, or -1 for inactive XML
 *
 * Since: 0.1
 */
int
vmem_domain_config_get_id (VmemDomainConfig *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), -1);

  return self->id;
}

/**
 * vmem_domain_config_get_arch:
 * @self: a #VmemDomainConfig
 *
 * Gives the #VmemDomainConfig:arch of the domain.
 *
 * Returns: (nullable): the guest architecture, such as "x86_64"
 *
 * Since: 0.1
 */
const char *
vmem_domain_config_get_arch (VmemDomainConfig *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), NULL);

  return self->arch;
}

/**
 * vmem_domain_config_get_max_memory:
 * @self: a #VmemDomainConfig
 *
 * Gives the #VmemDomainConfig:max-memory of the domain.
 *
 * Returns: the maximum memory in bytes, or 0
 *
 * Since: 0.1
 */
guint64
vmem_domain_config_get_max_memory (VmemDomainConfig *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), 0);

  return self->max_memory;
}

/**
 * vmem_domain_config_get_max_memory_slots:
 * @self: a #VmemDomainConfig
 *
 * Gives the #VmemDomainConfig:max-memory-slots of the domain.
 *
 * Returns: the number of memory slots, or 0
 *
 * Since: 0.1
 */
guint
vmem_domain_config_get_max_memory_slots (VmemDomainConfig *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), 0);

  return self->max_memory_slots;
}

/**
 * vmem_domain_config_get_memory:
 * @self: a #VmemDomainConfig
 *
 * Gives the #VmemDomainConfig:memory of the domain.
 *
 * Returns: the boot memory in bytes
 *
 * Since: 0.1
 */
guint64
vmem_domain_config_get_memory (VmemDomainConfig *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), 0);

  return self->memory;
}

/**
 * vmem_domain_config_get_current_memory:
 * @self: a #VmemDomainConfig
 *
 * Gives the #VmemDomainConfig:current-memory of the domain.
 *
 * Returns: the current memory in bytes
 *
 * Since: 0.1
 */
guint64
vmem_domain_config_get_current_memory (VmemDomainConfig *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), 0);

  return self->current_memory;
}

/**
 * vmem_domain_config_get_numa_cells:
 * @self: a #VmemDomainConfig
 *
 * Gives the guest NUMA cells.
 *
 * Returns: (transfer none): a #GListModel of #VmemNumaCell
 *
 * Since: 0.1
 */
GListModel *
vmem_domain_config_get_numa_cells (VmemDomainConfig *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), NULL);

  return G_LIST_MODEL (self->numa_cells);
}

/**
 * vmem_domain_config_get_memory_devices:
 * @self: a #VmemDomainConfig
 *
 * Gives the memory devices in document order.
 *
 * Returns: (transfer none): a #GListModel of #VmemMemoryDevice
 *
 * Since: 0.1
 */
GListModel *
vmem_domain_config_get_memory_devices (VmemDomainConfig *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), NULL);

  return G_LIST_MODEL (self->memory_devices);
}

/**
 * vmem_domain_config_validate:
 * @self: a #VmemDomainConfig
 * @error: return location for a #GError, or %NULL
 *
 * Checks the domain's memory configuration against libvirt's rules, with
 * libvirt's messages: memory hot-plug needs a guest NUMA node (but on
 * ppc64), every device must be valid (see vmem_memory_device_validate()),
 * and a device's NUMA node must exist.
 *
 * Returns: %TRUE if the configuration is valid; %FALSE with
 *   %VMEM_ERROR_INVALID_CONFIG or the device's error otherwise
 *
 * Since: 0.1
 */
gboolean
vmem_domain_config_validate (VmemDomainConfig  *self,
                             GError           **error)
{
  guint n_cells, n_devices;
  gboolean hotplug;

  g_return_val_if_fail (VMEM_IS_DOMAIN_CONFIG (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n_cells = g_list_model_get_n_items (G_LIST_MODEL (self->numa_cells));
  n_devices = g_list_model_get_n_items (G_LIST_MODEL (self->memory_devices));
  hotplug = self->max_memory != 0 || self->max_memory_slots != 0;

  if (hotplug && n_cells == 0 &&
      !(self->arch != NULL && g_str_has_prefix (self->arch, "ppc64")))
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                           "At least one numa node has to be configured when "
                           "enabling memory hotplug");
      return FALSE;
    }

  for (guint i = 0; i < n_devices; i++)
    {
      g_autoptr(VmemMemoryDevice) device =
        g_list_model_get_item (G_LIST_MODEL (self->memory_devices), i);
      int node = vmem_memory_device_get_node (device);

      if (!vmem_memory_device_validate (device, error))
        {
          g_prefix_error (error, "Memory device %u: ", i + 1);
          return FALSE;
        }

      if (node >= 0 && (guint) node >= n_cells && n_cells > 0)
        {
          g_set_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                       "can't add memory backend for guest node '%d' as the guest "
                       "has only '%u' NUMA nodes configured", node, n_cells);
          return FALSE;
        }
    }

  return TRUE;
}

/*
 * _vmem_domain_config_take_memory_devices:
 *
 * Empties the config's device list, giving its devices to the caller: a
 * VmemDomain makes them its live devices and keeps the rest of the read.
 */
GPtrArray *
_vmem_domain_config_take_memory_devices (VmemDomainConfig *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->memory_devices));
  GPtrArray *devices = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (devices, g_list_model_get_item (G_LIST_MODEL (self->memory_devices), i));
  g_list_store_remove_all (self->memory_devices);
  return devices;
}

/*
 * _vmem_domain_config_copy_with_devices:
 *
 * A copy of @self, whose devices are copies of @devices: a snapshot that
 * shares nothing that changes.
 */
VmemDomainConfig *
_vmem_domain_config_copy_with_devices (VmemDomainConfig *self,
                                       GListModel       *devices)
{
  VmemDomainConfig *copy = g_object_new (VMEM_TYPE_DOMAIN_CONFIG, NULL);
  guint n_cells = g_list_model_get_n_items (G_LIST_MODEL (self->numa_cells));
  guint n_devices = g_list_model_get_n_items (devices);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_full (n_cells, g_object_unref);
  g_autoptr(GPtrArray) copies = g_ptr_array_new_full (n_devices, g_object_unref);

  copy->name = g_strdup (self->name);
  copy->uuid = g_strdup (self->uuid);
  copy->arch = g_strdup (self->arch);
  copy->id = self->id;
  copy->max_memory_slots = self->max_memory_slots;
  copy->max_memory = self->max_memory;
  copy->memory = self->memory;
  copy->current_memory = self->current_memory;

  /* Cells do not change once read: they are shared. */
  for (guint i = 0; i < n_cells; i++)
    g_ptr_array_add (cells, g_list_model_get_item (G_LIST_MODEL (self->numa_cells), i));
  g_list_store_splice (copy->numa_cells, 0, 0, cells->pdata, cells->len);

  for (guint i = 0; i < n_devices; i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, i);

      g_ptr_array_add (copies, vmem_memory_device_copy (device));
    }
  g_list_store_splice (copy->memory_devices, 0, 0, copies->pdata, copies->len);

  return copy;
}
