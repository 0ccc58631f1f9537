/* vmem-memory-usage.c: a domain's memory, or a guest NUMA node's, in figures
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-memory-usage.h"
#include "vmem-memory-usage-private.h"

#include "vmem-enum-types.h"
#include "vmem-libvirt-private.h"
#include "vmem-memory-device.h"
#include "vmem-numa-cell.h"
#include "vmem-virtio-mem.h"

/**
 * SECTION:vmem-memory-usage
 * @Title: VmemMemoryUsage
 * @Short_description: The memory of a domain or of one of its NUMA nodes
 *
 * A #VmemMemoryUsage gives, in bytes, where the memory of a running or
 * stopped domain comes from: the boot memory, what each memory device
 * model has plugged, and how much virtio-mem memory is requested and could
 * be. #VmemDomain:memory is the whole domain's; #VmemDomain:numa-nodes
 * holds one per guest NUMA node. The domain keeps them current, from
 * libvirt's events, and each property is notified when it changes, so a
 * view can bind to them.
 *
 * The guest's RAM is #VmemMemoryUsage:total: the boot memory, the DIMMs
 * and the memory the virtio-mem devices have plugged. NVDIMMs, virtio-pmem
 * devices and the SGX enclave page cache are memory the guest reaches in
 * other ways.
 */

/**
 * VmemMemoryUsage:
 *
 * The memory of a domain or of a guest NUMA node, in figures.
 *
 * Since: 0.1
 */

#define N_MODELS (VMEM_MEMORY_MODEL_SGX_EPC + 1)

typedef struct
{
  guint64 base;
  guint64 plugged[N_MODELS];
  guint64 requested;
  guint64 maximum;
} Figures;

struct _VmemMemoryUsage
{
  GObject parent_instance;

  int     node;
  Figures figures;
};

G_DEFINE_FINAL_TYPE (VmemMemoryUsage, vmem_memory_usage, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NODE,
  PROP_BASE,
  PROP_DIMM,
  PROP_NVDIMM,
  PROP_VIRTIO_PMEM,
  PROP_VIRTIO_MEM,
  PROP_SGX_EPC,
  PROP_VIRTIO_MEM_REQUESTED,
  PROP_VIRTIO_MEM_MAXIMUM,
  PROP_TOTAL,
  N_PROPS
};

/* The property of each model's plugged memory, in the models' order. */
#define PROP_PLUGGED(model) (PROP_DIMM + (model))
G_STATIC_ASSERT (PROP_PLUGGED (VMEM_MEMORY_MODEL_SGX_EPC) == PROP_SGX_EPC);

static GParamSpec *properties[N_PROPS];

static guint64
total (const Figures *figures)
{
  return figures->base +
         figures->plugged[VMEM_MEMORY_MODEL_DIMM] +
         figures->plugged[VMEM_MEMORY_MODEL_VIRTIO_MEM];
}

static void
vmem_memory_usage_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  VmemMemoryUsage *self = VMEM_MEMORY_USAGE (object);

  switch (prop_id)
    {
    case PROP_NODE:
      g_value_set_int (value, self->node);
      break;
    case PROP_BASE:
      g_value_set_uint64 (value, self->figures.base);
      break;
    case PROP_DIMM:
    case PROP_NVDIMM:
    case PROP_VIRTIO_PMEM:
    case PROP_VIRTIO_MEM:
    case PROP_SGX_EPC:
      g_value_set_uint64 (value, self->figures.plugged[prop_id - PROP_DIMM]);
      break;
    case PROP_VIRTIO_MEM_REQUESTED:
      g_value_set_uint64 (value, self->figures.requested);
      break;
    case PROP_VIRTIO_MEM_MAXIMUM:
      g_value_set_uint64 (value, self->figures.maximum);
      break;
    case PROP_TOTAL:
      g_value_set_uint64 (value, total (&self->figures));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
size_property (const char *name,
               const char *nick,
               const char *blurb)
{
  return g_param_spec_uint64 (name, nick, blurb, 0, G_MAXUINT64, 0,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
vmem_memory_usage_class_init (VmemMemoryUsageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vmem_memory_usage_get_property;

  /**
   * VmemMemoryUsage:node:
   *
   * The guest NUMA node, or -1 for the whole domain.
   *
   * Since: 0.1
   */
  properties[PROP_NODE] =
    g_param_spec_int ("node", "Node", "The guest NUMA node, or -1 for the whole domain", -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * VmemMemoryUsage:base:
   *
   * The boot memory, in bytes: a NUMA cell's memory, or for the whole
   * domain the memory it has without its memory devices.
   *
   * Since: 0.1
   */
  properties[PROP_BASE] = size_property ("base", "Base", "The boot memory, in bytes");

  /**
   * VmemMemoryUsage:dimm:
   *
   * The memory of the DIMMs, in bytes.
   *
   * Since: 0.1
   */
  properties[PROP_DIMM] = size_property ("dimm", "DIMM", "The memory of the DIMMs, in bytes");

  /**
   * VmemMemoryUsage:nvdimm:
   *
   * The memory of the NVDIMMs, in bytes.
   *
   * Since: 0.1
   */
  properties[PROP_NVDIMM] = size_property ("nvdimm", "NVDIMM", "The memory of the NVDIMMs, in bytes");

  /**
   * VmemMemoryUsage:virtio-pmem:
   *
   * The memory of the virtio-pmem devices, in bytes.
   *
   * Since: 0.1
   */
  properties[PROP_VIRTIO_PMEM] =
    size_property ("virtio-pmem", "virtio-pmem", "The memory of the virtio-pmem devices, in bytes");

  /**
   * VmemMemoryUsage:virtio-mem:
   *
   * The memory the virtio-mem devices have plugged, in bytes: the sum of
   * their #VmemVirtioMem:current-size.
   *
   * Since: 0.1
   */
  properties[PROP_VIRTIO_MEM] =
    size_property ("virtio-mem", "virtio-mem", "The memory the virtio-mem devices have plugged, in bytes");

  /**
   * VmemMemoryUsage:sgx-epc:
   *
   * The SGX enclave page cache, in bytes.
   *
   * Since: 0.1
   */
  properties[PROP_SGX_EPC] = size_property ("sgx-epc", "SGX EPC", "The SGX enclave page cache, in bytes");

  /**
   * VmemMemoryUsage:virtio-mem-requested:
   *
   * The memory the virtio-mem devices are asked to plug, in bytes: the
   * sum of their #VmemVirtioMem:requested-size.
   *
   * Since: 0.1
   */
  properties[PROP_VIRTIO_MEM_REQUESTED] =
    size_property ("virtio-mem-requested", "virtio-mem requested", "The memory the virtio-mem devices are asked to plug, in bytes");

  /**
   * VmemMemoryUsage:virtio-mem-maximum:
   *
   * The most the virtio-mem devices can plug, in bytes: the sum of their
   * #VmemMemoryDevice:size.
   *
   * Since: 0.1
   */
  properties[PROP_VIRTIO_MEM_MAXIMUM] =
    size_property ("virtio-mem-maximum", "virtio-mem maximum", "The most the virtio-mem devices can plug, in bytes");

  /**
   * VmemMemoryUsage:total:
   *
   * The guest's RAM, in bytes: #VmemMemoryUsage:base, #VmemMemoryUsage:dimm
   * and #VmemMemoryUsage:virtio-mem together.
   *
   * Since: 0.1
   */
  properties[PROP_TOTAL] = size_property ("total", "Total", "The guest's RAM, in bytes: base, DIMMs and plugged virtio-mem memory");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vmem_memory_usage_init (VmemMemoryUsage *self)
{
  self->node = -1;
}

VmemMemoryUsage *
_vmem_memory_usage_new (int node)
{
  VmemMemoryUsage *self = g_object_new (VMEM_TYPE_MEMORY_USAGE, NULL);

  self->node = node;
  return self;
}

static void
set_figure (VmemMemoryUsage *self,
            guint64         *field,
            guint64          value,
            guint            prop_id)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
    }
}

static void
set_figures (VmemMemoryUsage *self,
             const Figures   *figures,
             gboolean         notify)
{
  guint64 old_total = total (&self->figures);

  if (!notify)
    {
      self->figures = *figures;
      return;
    }

  g_object_freeze_notify (G_OBJECT (self));
  set_figure (self, &self->figures.base, figures->base, PROP_BASE);
  for (guint m = 0; m < N_MODELS; m++)
    set_figure (self, &self->figures.plugged[m], figures->plugged[m], PROP_PLUGGED (m));
  set_figure (self, &self->figures.requested, figures->requested, PROP_VIRTIO_MEM_REQUESTED);
  set_figure (self, &self->figures.maximum, figures->maximum, PROP_VIRTIO_MEM_MAXIMUM);
  if (total (&self->figures) != old_total)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
add_device (Figures          *figures,
            VmemMemoryDevice *device)
{
  VmemMemoryModel model = vmem_memory_device_get_model (device);
  guint64 size = vmem_memory_device_get_size (device);

  if (VMEM_IS_VIRTIO_MEM (device))
    {
      VmemVirtioMem *virtio_mem = VMEM_VIRTIO_MEM (device);

      figures->plugged[model] += vmem_virtio_mem_get_current_size (virtio_mem);
      figures->requested += vmem_virtio_mem_get_requested_size (virtio_mem);
      figures->maximum += size;
    }
  else
    figures->plugged[model] += size;
}

static guint64
saturating_sub (guint64 a,
                guint64 b)
{
  return a > b ? a - b : 0;
}

void
_vmem_memory_usage_compute (VmemDomainConfig   *config,
                            VmemMemoryDevice  **devices,
                            guint               n_devices,
                            gulong              libvirt_version,
                            VmemMemoryUsage    *usage,
                            GListStore         *nodes,
                            gboolean            notify,
                            VmemHotplugFigures *out_hotplug)
{
  GListModel *cells = vmem_domain_config_get_numa_cells (config);
  guint n_cells = g_list_model_get_n_items (cells);
  g_autofree Figures *per_cell = g_new0 (Figures, MAX (n_cells, 1));
  g_autofree int *cell_ids = g_new0 (int, MAX (n_cells, 1));
  Figures whole = { 0, };
  guint64 devices_size = 0;
  guint n_slotted = 0;

  for (guint c = 0; c < n_cells; c++)
    {
      g_autoptr(VmemNumaCell) cell = g_list_model_get_item (cells, c);

      cell_ids[c] = vmem_numa_cell_get_id (cell);
      per_cell[c].base = vmem_numa_cell_get_memory (cell);
      whole.base += per_cell[c].base;
    }

  for (guint i = 0; i < n_devices; i++)
    {
      VmemMemoryDevice *device = devices[i];
      int node = vmem_memory_device_get_node (device);

      add_device (&whole, device);
      devices_size += vmem_memory_device_get_size (device);
      if (_vmem_libvirt_model_takes_slot (libvirt_version, vmem_memory_device_get_model (device)))
        n_slotted++;

      for (guint c = 0; c < n_cells; c++)
        if (cell_ids[c] == node)
          {
            add_device (&per_cell[c], device);
            break;
          }
    }

  /* libvirt's own accounting: without NUMA cells, <memory> is the boot
   * memory and the devices together. */
  if (n_cells == 0)
    whole.base = saturating_sub (vmem_domain_config_get_memory (config), devices_size);

  out_hotplug->max_memory = vmem_domain_config_get_max_memory (config);
  out_hotplug->slots = vmem_domain_config_get_max_memory_slots (config);
  /* Which devices take a slot depends on libvirt's version. */
  out_hotplug->free_slots = out_hotplug->slots > n_slotted ? out_hotplug->slots - n_slotted : 0;
  out_hotplug->headroom = out_hotplug->max_memory != 0
    ? saturating_sub (out_hotplug->max_memory, whole.base + devices_size)
    : 0;

  /* The objects exist once somebody asked for them. */
  if (usage == NULL)
    return;

  set_figures (usage, &whole, notify);

  /* One object per cell, the same objects while the cells stay. */
  if (g_list_model_get_n_items (G_LIST_MODEL (nodes)) != n_cells)
    {
      g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint c = 0; c < n_cells; c++)
        g_ptr_array_add (fresh, _vmem_memory_usage_new (cell_ids[c]));
      g_list_store_splice (nodes, 0, g_list_model_get_n_items (G_LIST_MODEL (nodes)),
                           fresh->pdata, fresh->len);
    }
  for (guint c = 0; c < n_cells; c++)
    {
      g_autoptr(VmemMemoryUsage) node = g_list_model_get_item (G_LIST_MODEL (nodes), c);

      node->node = cell_ids[c];
      set_figures (node, &per_cell[c], notify);
    }
}

/**
 * vmem_memory_usage_get_node:
 * @self: a #VmemMemoryUsage
 *
 * Gives the #VmemMemoryUsage:node the figures are for.
 *
 * Returns: the guest NUMA node, or -1 for the whole domain
 *
 * Since: 0.1
 */
int
vmem_memory_usage_get_node (VmemMemoryUsage *self)
{
  g_return_val_if_fail (VMEM_IS_MEMORY_USAGE (self), -1);

  return self->node;
}

/**
 * vmem_memory_usage_get_base:
 * @self: a #VmemMemoryUsage
 *
 * Gives the #VmemMemoryUsage:base memory.
 *
 * Returns: the boot memory, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_memory_usage_get_base (VmemMemoryUsage *self)
{
  g_return_val_if_fail (VMEM_IS_MEMORY_USAGE (self), 0);

  return self->figures.base;
}

/**
 * vmem_memory_usage_get_plugged:
 * @self: a #VmemMemoryUsage
 * @model: a memory device model
 *
 * Gives the memory the devices of @model have plugged: their sizes, or
 * for virtio-mem the sum of their #VmemVirtioMem:current-size. Each model
 * also has a property of its own, such as #VmemMemoryUsage:dimm.
 *
 * Returns: the memory, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_memory_usage_get_plugged (VmemMemoryUsage *self,
                               VmemMemoryModel  model)
{
  g_return_val_if_fail (VMEM_IS_MEMORY_USAGE (self), 0);
  g_return_val_if_fail ((guint) model < N_MODELS, 0);

  return self->figures.plugged[model];
}

/**
 * vmem_memory_usage_get_virtio_mem_requested:
 * @self: a #VmemMemoryUsage
 *
 * Gives the #VmemMemoryUsage:virtio-mem-requested memory.
 *
 * Returns: the memory, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_memory_usage_get_virtio_mem_requested (VmemMemoryUsage *self)
{
  g_return_val_if_fail (VMEM_IS_MEMORY_USAGE (self), 0);

  return self->figures.requested;
}

/**
 * vmem_memory_usage_get_virtio_mem_maximum:
 * @self: a #VmemMemoryUsage
 *
 * Gives the #VmemMemoryUsage:virtio-mem-maximum memory.
 *
 * Returns: the memory, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_memory_usage_get_virtio_mem_maximum (VmemMemoryUsage *self)
{
  g_return_val_if_fail (VMEM_IS_MEMORY_USAGE (self), 0);

  return self->figures.maximum;
}

/**
 * vmem_memory_usage_get_total:
 * @self: a #VmemMemoryUsage
 *
 * Gives the #VmemMemoryUsage:total: the guest's RAM.
 *
 * Returns: the memory, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_memory_usage_get_total (VmemMemoryUsage *self)
{
  g_return_val_if_fail (VMEM_IS_MEMORY_USAGE (self), 0);

  return total (&self->figures);
}
