/* vmem-numa-cell.c: a guest NUMA cell
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-numa-cell-private.h"

/**
 * SECTION:vmem-numa-cell
 * @Title: VmemNumaCell
 * @Short_description: A NUMA node of the guest
 *
 * One `<cell>` of a domain's `<cpu><numa>`: the guest NUMA node memory
 * devices give their memory to.
 */

/**
 * VmemNumaCell:
 *
 * A guest NUMA cell, read from a domain's XML. It does not change.
 *
 * Since: 0.1
 */
struct _VmemNumaCell
{
  GObject parent_instance;

  guint    id;
  char    *cpus;
  guint64  memory;
};

G_DEFINE_FINAL_TYPE (VmemNumaCell, vmem_numa_cell, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CPUS,
  PROP_MEMORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vmem_numa_cell_finalize (GObject *object)
{
  VmemNumaCell *self = VMEM_NUMA_CELL (object);

  g_free (self->cpus);

  G_OBJECT_CLASS (vmem_numa_cell_parent_class)->finalize (object);
}

static void
vmem_numa_cell_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  VmemNumaCell *self = VMEM_NUMA_CELL (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;
    case PROP_CPUS:
      g_value_set_string (value, self->cpus);
      break;
    case PROP_MEMORY:
      g_value_set_uint64 (value, self->memory);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_numa_cell_class_init (VmemNumaCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vmem_numa_cell_finalize;
  object_class->get_property = vmem_numa_cell_get_property;

  /**
   * VmemNumaCell:id:
   *
   * The guest NUMA node number.
   *
   * Since: 0.1
   */
  properties[PROP_ID] = g_param_spec_uint ("id", "ID", "The guest NUMA node number", 0, G_MAXUINT, 0, ro);

  /**
   * VmemNumaCell:cpus:
   *
   * The guest CPUs of the node, such as "0-1", or %NULL.
   *
   * Since: 0.1
   */
  properties[PROP_CPUS] = g_param_spec_string ("cpus", "CPUs", "The guest CPUs of the node, such as \"0-1\", or NULL", NULL, ro);

  /**
   * VmemNumaCell:memory:
   *
   * The node's boot memory in bytes, without memory devices.
   *
   * Since: 0.1
   */
  properties[PROP_MEMORY] = g_param_spec_uint64 ("memory", "Memory", "The node's boot memory in bytes, without memory devices", 0, G_MAXUINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vmem_numa_cell_init (VmemNumaCell *self)
{
}

VmemNumaCell *
_vmem_numa_cell_new (guint       id,
                     const char *cpus,
                     guint64     memory)
{
  VmemNumaCell *self = g_object_new (VMEM_TYPE_NUMA_CELL, NULL);

  self->id = id;
  self->cpus = g_strdup (cpus);
  self->memory = memory;
  return self;
}

/**
 * vmem_numa_cell_get_id:
 * @self: a #VmemNumaCell
 *
 * Gives the #VmemNumaCell:id of the cell.
 *
 * Returns: the guest NUMA node number
 *
 * Since: 0.1
 */
guint
vmem_numa_cell_get_id (VmemNumaCell *self)
{
  g_return_val_if_fail (VMEM_IS_NUMA_CELL (self), 0);

  return self->id;
}

/**
 * vmem_numa_cell_get_cpus:
 * @self: a #VmemNumaCell
 *
 * Gives the #VmemNumaCell:cpus of the cell.
 *
 * Returns: (nullable): the CPU list, or %NULL
 *
 * Since: 0.1
 */
const char *
vmem_numa_cell_get_cpus (VmemNumaCell *self)
{
  g_return_val_if_fail (VMEM_IS_NUMA_CELL (self), NULL);

  return self->cpus;
}

/**
 * vmem_numa_cell_get_memory:
 * @self: a #VmemNumaCell
 *
 * Gives the #VmemNumaCell:memory of the cell.
 *
 * Returns: the memory in bytes
 *
 * Since: 0.1
 */
guint64
vmem_numa_cell_get_memory (VmemNumaCell *self)
{
  g_return_val_if_fail (VMEM_IS_NUMA_CELL (self), 0);

  return self->memory;
}
