/* vmem-device-address.c: the address of a memory device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-device-address.h"

#include <string.h>

#include "vmem-error.h"
#include "vmem-memory-device-private.h"

/**
 * SECTION:vmem-device-address
 * @Title: VmemDeviceAddress
 * @Short_description: Where a memory device sits on the guest's buses
 *
 * The `<address>` of a memory device: a PCI address for virtio-mem and
 * virtio-pmem devices, a DIMM slot (and base address) for dimm and
 * nvdimm devices. Address types the library does not model are kept as
 * written, with their attributes, and written back unchanged.
 */

/**
 * VmemDeviceAddress:
 *
 * An opaque, immutable device address. Copy it with
 * vmem_device_address_copy() and free it with vmem_device_address_free().
 *
 * Since: 0.1
 */
struct _VmemDeviceAddress
{
  VmemAddressType type;
  char           *type_name;
  guint           domain;
  guint           bus;
  guint           slot;
  guint           function;
  guint64         base;
  GArray         *extras;   /* unknown attributes and children, written back */
};

G_DEFINE_BOXED_TYPE (VmemDeviceAddress, vmem_device_address,
                     vmem_device_address_copy, vmem_device_address_free)

static VmemDeviceAddress *
address_new (VmemAddressType  type,
             const char      *type_name)
{
  VmemDeviceAddress *self = g_new0 (VmemDeviceAddress, 1);

  self->type = type;
  self->type_name = g_strdup (type_name);
  return self;
}

/**
 * vmem_device_address_new_pci:
 * @domain: the PCI domain, up to 0xffff
 * @bus: the bus, up to 0xff
 * @slot: the slot, up to 0x1f
 * @function: the function, up to 7
 *
 * Creates a PCI address.
 *
 * Returns: (transfer full): a new #VmemDeviceAddress
 *
 * Since: 0.1
 */
VmemDeviceAddress *
vmem_device_address_new_pci (guint domain,
                             guint bus,
                             guint slot,
                             guint function)
{
  VmemDeviceAddress *self;

  g_return_val_if_fail (domain <= 0xffff, NULL);
  g_return_val_if_fail (bus <= 0xff, NULL);
  g_return_val_if_fail (slot <= 0x1f, NULL);
  g_return_val_if_fail (function <= 7, NULL);

  self = address_new (VMEM_ADDRESS_TYPE_PCI, "pci");
  self->domain = domain;
  self->bus = bus;
  self->slot = slot;
  self->function = function;
  return self;
}

/**
 * vmem_device_address_new_dimm:
 * @slot: the DIMM slot
 * @base: the guest physical base address, or 0 to let the hypervisor choose
 *
 * Creates a DIMM address.
 *
 * Returns: (transfer full): a new #VmemDeviceAddress
 *
 * Since: 0.1
 */
VmemDeviceAddress *
vmem_device_address_new_dimm (guint   slot,
                              guint64 base)
{
  VmemDeviceAddress *self = address_new (VMEM_ADDRESS_TYPE_DIMM, "dimm");

  self->slot = slot;
  self->base = base;
  return self;
}

/**
 * vmem_device_address_copy:
 * @self: a #VmemDeviceAddress
 *
 * Copies an address.
 *
 * Returns: (transfer full): a copy of @self
 *
 * Since: 0.1
 */
VmemDeviceAddress *
vmem_device_address_copy (const VmemDeviceAddress *self)
{
  VmemDeviceAddress *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->type_name = g_strdup (self->type_name);
  copy->extras = vmem_xml_extras_copy (self->extras);
  return copy;
}

/**
 * vmem_device_address_free:
 * @self: (nullable): a #VmemDeviceAddress
 *
 * Frees an address.
 *
 * Since: 0.1
 */
void
vmem_device_address_free (VmemDeviceAddress *self)
{
  if (self == NULL)
    return;

  g_free (self->type_name);
  g_clear_pointer (&self->extras, g_array_unref);
  g_free (self);
}

/**
 * vmem_device_address_equal:
 * @a: (nullable): a #VmemDeviceAddress
 * @b: (nullable): a #VmemDeviceAddress
 *
 * Compares two addresses, including what the library keeps of address
 * types and attributes it does not model. Two %NULL addresses are equal.
 *
 * Returns: %TRUE if @a and @b are the same address
 *
 * Since: 0.1
 */
gboolean
vmem_device_address_equal (const VmemDeviceAddress *a,
                           const VmemDeviceAddress *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return a->type == b->type &&
         g_strcmp0 (a->type_name, b->type_name) == 0 &&
         a->domain == b->domain &&
         a->bus == b->bus &&
         a->slot == b->slot &&
         a->function == b->function &&
         a->base == b->base &&
         vmem_xml_extras_equal (a->extras, b->extras);
}

/**
 * vmem_device_address_get_address_type:
 * @self: a #VmemDeviceAddress
 *
 * Gives the kind of address.
 *
 * Returns: the #VmemAddressType
 *
 * Since: 0.1
 */
VmemAddressType
vmem_device_address_get_address_type (const VmemDeviceAddress *self)
{
  g_return_val_if_fail (self != NULL, VMEM_ADDRESS_TYPE_NONE);

  return self->type;
}

/**
 * vmem_device_address_get_type_name:
 * @self: a #VmemDeviceAddress
 *
 * Gives the address type as libvirt writes it: "pci", "dimm", or the
 * name of a type the library does not model.
 *
 * Returns: the `type` attribute of the address
 *
 * Since: 0.1
 */
const char *
vmem_device_address_get_type_name (const VmemDeviceAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->type_name;
}

/**
 * vmem_device_address_get_pci_domain:
 * @self: a #VmemDeviceAddress
 *
 * Gives the PCI domain of a %VMEM_ADDRESS_TYPE_PCI address.
 *
 * Returns: the PCI domain, or 0 for another type
 *
 * Since: 0.1
 */
guint
vmem_device_address_get_pci_domain (const VmemDeviceAddress *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->type == VMEM_ADDRESS_TYPE_PCI ? self->domain : 0;
}

/**
 * vmem_device_address_get_pci_bus:
 * @self: a #VmemDeviceAddress
 *
 * Gives the PCI bus of a %VMEM_ADDRESS_TYPE_PCI address.
 *
 * Returns: the PCI bus, or 0 for another type
 *
 * Since: 0.1
 */
guint
vmem_device_address_get_pci_bus (const VmemDeviceAddress *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->type == VMEM_ADDRESS_TYPE_PCI ? self->bus : 0;
}

/**
 * vmem_device_address_get_pci_slot:
 * @self: a #VmemDeviceAddress
 *
 * Gives the PCI slot of a %VMEM_ADDRESS_TYPE_PCI address.
 *
 * Returns: the PCI slot, or 0 for another type
 *
 * Since: 0.1
 */
guint
vmem_device_address_get_pci_slot (const VmemDeviceAddress *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->type == VMEM_ADDRESS_TYPE_PCI ? self->slot : 0;
}

/**
 * vmem_device_address_get_pci_function:
 * @self: a #VmemDeviceAddress
 *
 * Gives the PCI function of a %VMEM_ADDRESS_TYPE_PCI address.
 *
 * Returns: the PCI function, or 0 for another type
 *
 * Since: 0.1
 */
guint
vmem_device_address_get_pci_function (const VmemDeviceAddress *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->type == VMEM_ADDRESS_TYPE_PCI ? self->function : 0;
}

/**
 * vmem_device_address_get_dimm_slot:
 * @self: a #VmemDeviceAddress
 *
 * Gives the slot of a %VMEM_ADDRESS_TYPE_DIMM address.
 *
 * Returns: the DIMM slot, or 0 for another type
 *
 * Since: 0.1
 */
guint
vmem_device_address_get_dimm_slot (const VmemDeviceAddress *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->type == VMEM_ADDRESS_TYPE_DIMM ? self->slot : 0;
}

/**
 * vmem_device_address_get_base:
 * @self: a #VmemDeviceAddress
 *
 * Gives the guest physical base address of a %VMEM_ADDRESS_TYPE_DIMM
 * address.
 *
 * Returns: the base address, or 0 when there is none
 *
 * Since: 0.1
 */
guint64
vmem_device_address_get_base (const VmemDeviceAddress *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->base;
}

/**
 * vmem_device_address_to_string:
 * @self: a #VmemDeviceAddress
 *
 * Describes the address for people: "pci 0000:00:02.0",
 * "dimm slot 0 base 0x100000000", or the type name of other addresses.
 *
 * Returns: (transfer full): a description of @self
 *
 * Since: 0.1
 */
char *
vmem_device_address_to_string (const VmemDeviceAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  switch (self->type)
    {
    case VMEM_ADDRESS_TYPE_PCI:
      return g_strdup_printf ("pci %04x:%02x:%02x.%x",
                              self->domain, self->bus, self->slot, self->function);
    case VMEM_ADDRESS_TYPE_DIMM:
      if (self->base != 0)
        return g_strdup_printf ("dimm slot %u base 0x%" G_GINT64_MODIFIER "x",
                                self->slot, self->base);
      return g_strdup_printf ("dimm slot %u", self->slot);
    case VMEM_ADDRESS_TYPE_NONE:
    case VMEM_ADDRESS_TYPE_OTHER:
    default:
      return g_strdup (self->type_name != NULL ? self->type_name : "none");
    }
}

static gboolean
read_attr (VmemXmlNode  *node,
           const char   *name,
           guint         base,
           guint64       max,
           guint64      *out,
           GError      **error)
{
  const char *text = vmem_xml_node_attr (node, name);
  char what[32];

  *out = 0;
  if (text == NULL)
    return TRUE;

  /* Every address of every device comes here: no printf. */
  g_strlcpy (what, "address ", sizeof what);
  g_strlcat (what, name, sizeof what);
  return vmem_xml_parse_uint (what, text, base, max, out, error);
}

VmemDeviceAddress *
_vmem_device_address_new_from_node (VmemXmlNode  *node,
                                    GError      **error)
{
  g_autoptr(VmemDeviceAddress) self = NULL;
  const char *type = vmem_xml_node_attr (node, "type");
  guint64 domain, bus, slot, function, base;

  if (type == NULL)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_INVALID_XML,
                           "<address> has no type");
      return NULL;
    }

  /* The ranges are libvirt's. */
  if (strcmp (type, "pci") == 0)
    {
      if (!read_attr (node, "domain", 0, 0xffff, &domain, error) ||
          !read_attr (node, "bus", 0, 0xff, &bus, error) ||
          !read_attr (node, "slot", 0, 0x1f, &slot, error) ||
          !read_attr (node, "function", 0, 7, &function, error))
        return NULL;

      self = vmem_device_address_new_pci (domain, bus, slot, function);
    }
  else if (strcmp (type, "dimm") == 0)
    {
      if (!read_attr (node, "slot", 10, G_MAXUINT, &slot, error) ||
          !read_attr (node, "base", 16, G_MAXUINT64, &base, error))
        return NULL;

      self = vmem_device_address_new_dimm (slot, base);
    }
  else
    self = address_new (VMEM_ADDRESS_TYPE_OTHER, type);

  self->extras = vmem_xml_extras_collect (node);
  return g_steal_pointer (&self);
}

void
_vmem_device_address_write (const VmemDeviceAddress *self,
                            VmemXmlWriter           *w)
{
  VmemXmlWriter aw = { w->out, w->indent, self->extras };
  char domain[16], bus[8], slot[16], function[8], base[24];

  switch (self->type)
    {
    case VMEM_ADDRESS_TYPE_PCI:
      g_snprintf (domain, sizeof domain, "0x%04x", self->domain);
      g_snprintf (bus, sizeof bus, "0x%02x", self->bus);
      g_snprintf (slot, sizeof slot, "0x%02x", self->slot);
      g_snprintf (function, sizeof function, "0x%x", self->function);
      vmem_xml_writer_element (&aw, "", "address", NULL,
                               "type", "pci", "domain", domain, "bus", bus,
                               "slot", slot, "function", function, NULL);
      break;

    case VMEM_ADDRESS_TYPE_DIMM:
      g_snprintf (slot, sizeof slot, "%u", self->slot);
      g_snprintf (base, sizeof base, "0x%" G_GINT64_MODIFIER "x", self->base);
      vmem_xml_writer_element (&aw, "", "address", NULL,
                               "type", "dimm", "slot", slot,
                               "base", self->base != 0 ? base : NULL, NULL);
      break;

    case VMEM_ADDRESS_TYPE_NONE:
    case VMEM_ADDRESS_TYPE_OTHER:
    default:
      vmem_xml_writer_element (&aw, "", "address", NULL, "type", self->type_name, NULL);
      break;
    }
}
