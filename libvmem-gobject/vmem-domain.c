/* vmem-domain.c: a libvirt domain and its memory devices
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-domain.h"

#include <string.h>

#include "vmem-domain-config-private.h"
#include "vmem-enum-types.h"
#include "vmem-error.h"
#include "vmem-domain-private.h"
#include "vmem-memory-device-private.h"
#include "vmem-memory-usage-private.h"

/**
 * SECTION:vmem-domain
 * @Title: VmemDomain
 * @Short_description: A domain of a connection, with live memory devices
 *
 * #VmemDomain is a domain of a #VmemConnection, which owns it and keeps
 * it current: the connection's #VmemConnection:domains holds it for as
 * long as the domain exists and the connection is open, so a domain, and
 * each of its devices, stays usable however the application's language
 * collects its objects. A domain stays the same object as it changes.
 *
 * Its memory devices, as vmem_domain_get_memory_devices() gives them, are
 * live devices (vmem_memory_device_is_live()): read-only objects kept
 * current by libvirt's events (devices hot-plugged or removed, the domain
 * started or stopped, the guest's plugged size of virtio-mem devices,
 * reported by #VmemDomain::memory-device-size-changed and the devices'
 * #VmemVirtioMem:current-size). A list view can bind to the model: device
 * objects stay the same objects as they change. The commands that change
 * the guest are the domain's (attach, detach) and the live devices' own
 * (vmem_virtio_mem_set_requested_size(), vmem_virtio_mem_resize_async()).
 *
 * #VmemDomain:memory and #VmemDomain:numa-nodes give the domain's memory
 * in figures, whole and per guest NUMA node; #VmemDomain:free-memory-slots
 * and #VmemDomain:hotplug-headroom say what can still be hot-plugged. All
 * are kept current and notified.
 *
 * QEMU reports a virtio-mem device's size at most once a second, so a
 * resize shows intermediate sizes first; the last one is the size the
 * guest reached. vmem_virtio_mem_resize_async() waits for that.
 *
 * A device the domain removed stays a read-only object for whoever holds
 * it; its commands fail with %VMEM_ERROR_NOT_FOUND and change nothing.
 */

/**
 * VmemDomain:
 *
 * A libvirt domain.
 *
 * Since: 0.1
 */

typedef struct
{
  GTask    *task;
  char     *alias;
  gboolean  called;    /* libvirt accepted the request */
  gboolean  removed;   /* libvirt reported the removal */
  GSource  *cancel_source;
} Detach;

struct _VmemDomain
{
  GObject parent_instance;

  VmemConnection  *connection;
  char            *uuid;
  char            *name;

  GMutex           lock;        /* guards dom */
  virDomainPtr     dom;

  VmemDomainState  state;
  VmemDomainConfig *config;     /* the last read, without its devices */
  GListStore      *devices;     /* of live VmemMemoryDevice */
  VmemMemoryUsage *memory;      /* made when first asked for, */
  GListStore      *nodes;       /* of VmemMemoryUsage: with memory */
  VmemHotplugFigures hotplug;
  GPtrArray       *detaches;    /* of Detach */
  gulong           libvirt_version;   /* the connection's, for its rules */

  guint            refreshing : 1;
  guint            refresh_again : 1;
  guint            figures_shown : 1;   /* computed once: changes notify */
};

G_DEFINE_FINAL_TYPE (VmemDomain, vmem_domain, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_NAME,
  PROP_UUID,
  PROP_STATE,
  PROP_MEMORY_DEVICES,
  PROP_MEMORY,
  PROP_NUMA_NODES,
  PROP_MAX_MEMORY,
  PROP_MEMORY_SLOTS,
  PROP_FREE_MEMORY_SLOTS,
  PROP_HOTPLUG_HEADROOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  MEMORY_DEVICE_SIZE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void detach_free (gpointer data);

static void
vmem_domain_dispose (GObject *object)
{
  VmemDomain *self = VMEM_DOMAIN (object);

  /* Devices the application keeps reach no guest any more. The store is
   * dropped, not emptied: the last reference may go on a GTask thread,
   * where no signal may be emitted. */
  if (self->devices != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(VmemMemoryDevice) device =
            g_list_model_get_item (G_LIST_MODEL (self->devices), i);

          _vmem_memory_device_orphan (device);
        }
      g_clear_object (&self->devices);
    }

  G_OBJECT_CLASS (vmem_domain_parent_class)->dispose (object);
}

static void
vmem_domain_finalize (GObject *object)
{
  VmemDomain *self = VMEM_DOMAIN (object);

  g_clear_object (&self->connection);
  g_free (self->uuid);
  g_free (self->name);
  if (self->dom != NULL)
    virDomainFree (self->dom);
  g_mutex_clear (&self->lock);
  g_clear_object (&self->devices);
  g_clear_object (&self->config);
  g_clear_object (&self->memory);
  g_clear_object (&self->nodes);
  g_ptr_array_unref (self->detaches);

  G_OBJECT_CLASS (vmem_domain_parent_class)->finalize (object);
}

static void
vmem_domain_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  VmemDomain *self = VMEM_DOMAIN (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_MEMORY_DEVICES:
      g_value_set_object (value, self->devices);
      break;
    case PROP_MEMORY:
      g_value_set_object (value, vmem_domain_get_memory (self));
      break;
    case PROP_NUMA_NODES:
      g_value_set_object (value, vmem_domain_get_numa_nodes (self));
      break;
    case PROP_MAX_MEMORY:
      g_value_set_uint64 (value, self->hotplug.max_memory);
      break;
    case PROP_MEMORY_SLOTS:
      g_value_set_uint (value, self->hotplug.slots);
      break;
    case PROP_FREE_MEMORY_SLOTS:
      g_value_set_uint (value, self->hotplug.free_slots);
      break;
    case PROP_HOTPLUG_HEADROOM:
      g_value_set_uint64 (value, self->hotplug.headroom);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_domain_class_init (VmemDomainClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = vmem_domain_dispose;
  object_class->finalize = vmem_domain_finalize;
  object_class->get_property = vmem_domain_get_property;

  /**
   * VmemDomain:connection:
   *
   * The connection the domain belongs to.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", "Connection", "The connection the domain belongs to", VMEM_TYPE_CONNECTION, ro);

  /**
   * VmemDomain:name:
   *
   * The domain's name.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] = g_param_spec_string ("name", "Name", "The domain's name", NULL, ro);

  /**
   * VmemDomain:uuid:
   *
   * The domain's UUID.
   *
   * Since: 0.1
   */
  properties[PROP_UUID] = g_param_spec_string ("uuid", "UUID", "The domain's UUID", NULL, ro);

  /**
   * VmemDomain:state:
   *
   * The domain's state, following libvirt's lifecycle events.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", "State", "The domain's state, following libvirt's lifecycle events", VMEM_TYPE_DOMAIN_STATE,
                       VMEM_DOMAIN_STATE_NOSTATE, ro);

  /**
   * VmemDomain:memory-devices:
   *
   * The domain's memory devices, a #GListModel of #VmemMemoryDevice kept
   * current by libvirt's events.
   *
   * Since: 0.1
   */
  properties[PROP_MEMORY_DEVICES] =
    g_param_spec_object ("memory-devices", "Memory devices", "The domain's memory devices, a GListModel of VmemMemoryDevice kept current by libvirt's events", G_TYPE_LIST_MODEL, ro);

  /**
   * VmemDomain:memory:
   *
   * The whole domain's memory in figures, kept current; see
   * #VmemMemoryUsage. The object stays the same.
   *
   * Since: 0.1
   */
  properties[PROP_MEMORY] =
    g_param_spec_object ("memory", "Memory", "The whole domain's memory in figures, kept current", VMEM_TYPE_MEMORY_USAGE, ro);

  /**
   * VmemDomain:numa-nodes:
   *
   * The memory of each guest NUMA node in figures: a #GListModel of
   * #VmemMemoryUsage, one per NUMA cell, in the XML's order; empty for a
   * domain without NUMA cells.
   *
   * Since: 0.1
   */
  properties[PROP_NUMA_NODES] =
    g_param_spec_object ("numa-nodes", "NUMA nodes", "The memory of each guest NUMA node in figures, a GListModel of VmemMemoryUsage", G_TYPE_LIST_MODEL, ro);

  /**
   * VmemDomain:max-memory:
   *
   * The most memory the domain can have with hot-plugged devices
   * (`<maxMemory>`), in bytes; 0 when the domain cannot hot-plug memory.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_MEMORY] =
    g_param_spec_uint64 ("max-memory", "Max memory", "The most memory the domain can have with hot-plugged devices (<maxMemory>), in bytes; 0 when it cannot hot-plug memory", 0, G_MAXUINT64, 0, ro);

  /**
   * VmemDomain:memory-slots:
   *
   * The memory slots of `<maxMemory>`.
   *
   * Since: 0.1
   */
  properties[PROP_MEMORY_SLOTS] =
    g_param_spec_uint ("memory-slots", "Memory slots", "The memory slots of <maxMemory>", 0, G_MAXUINT, 0, ro);

  /**
   * VmemDomain:free-memory-slots:
   *
   * The memory slots no device takes. Which devices take one follows the
   * libvirt the connection talks to: up to libvirt 9.4 every memory device
   * does, whatever its model; since libvirt 9.5 only dimm and nvdimm
   * devices do, and virtio-mem, virtio-pmem and sgx-epc devices take none.
   *
   * Since: 0.1
   */
  properties[PROP_FREE_MEMORY_SLOTS] =
    g_param_spec_uint ("free-memory-slots", "Free memory slots", "The memory slots no device takes", 0, G_MAXUINT, 0, ro);

  /**
   * VmemDomain:hotplug-headroom:
   *
   * How much memory, in bytes, devices can still add under
   * #VmemDomain:max-memory: libvirt counts the boot memory and the size of
   * every memory device, a virtio-mem device's whole size included.
   *
   * Since: 0.1
   */
  properties[PROP_HOTPLUG_HEADROOM] =
    g_param_spec_uint64 ("hotplug-headroom", "Hot-plug headroom", "How much memory, in bytes, devices can still add under max-memory", 0, G_MAXUINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VmemDomain::memory-device-size-changed:
   * @self: the domain
   * @device: the memory device whose size changed
   * @size: the device's new size in the guest, in bytes
   *
   * Emitted for each size libvirt reports for a memory device, once
   * the device's #VmemVirtioMem:current-size holds it and before its
   * notification, so that a resize waiting for the size completes after
   * the signal. QEMU reports at
   * most once a second per device: while the guest plugs or unplugs
   * memory, intermediate sizes come first.
   *
   * Since: 0.1
   */
  signals[MEMORY_DEVICE_SIZE_CHANGED] =
    g_signal_new ("memory-device-size-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  VMEM_TYPE_MEMORY_DEVICE, G_TYPE_UINT64);
}

static void
vmem_domain_init (VmemDomain *self)
{
  g_mutex_init (&self->lock);
  self->devices = g_list_store_new (VMEM_TYPE_MEMORY_DEVICE);
  self->detaches = g_ptr_array_new_with_free_func (detach_free);
}

/* Takes @dom. */
VmemDomain *
_vmem_domain_new (VmemConnection *connection,
                  virDomainPtr    dom,
                  const char     *uuid,
                  gulong          libvirt_version)
{
  VmemDomain *self = g_object_new (VMEM_TYPE_DOMAIN, NULL);

  self->connection = g_object_ref (connection);
  self->libvirt_version = libvirt_version;
  self->uuid = g_strdup (uuid);
  self->name = g_strdup (virDomainGetName (dom));
  self->dom = dom;
  return self;
}

virDomainPtr
_vmem_domain_dup_vir_domain (VmemDomain  *self,
                             GError     **error)
{
  virDomainPtr dom = NULL;

  if (!vmem_connection_is_open (self->connection))
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_CLOSED,
                   "The connection of domain '%s' is not open", self->name);
      return NULL;
    }

  g_mutex_lock (&self->lock);
  if (self->dom != NULL)
    {
      virDomainRef (self->dom);
      dom = self->dom;
    }
  g_mutex_unlock (&self->lock);

  if (dom == NULL)
    g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_FOUND,
                 "Domain '%s' is gone", self->name);
  return dom;
}

void
_vmem_domain_set_vir_domain (VmemDomain   *self,
                             virDomainPtr  dom,
                             gulong        libvirt_version)
{
  self->libvirt_version = libvirt_version;
  g_mutex_lock (&self->lock);
  if (self->dom != NULL)
    virDomainFree (self->dom);
  if (dom != NULL)
    virDomainRef (dom);
  self->dom = dom;
  g_mutex_unlock (&self->lock);
}

static VmemDomainConfig *
fetch_config (virDomainPtr   dom,
                           gboolean       inactive,
                           GError       **error)
{
  /* Asked first: every libvirt call, virDomainGetName() too, clears the
   * last error that the GError is made of. */
  const char *name = virDomainGetName (dom);
  VmemDomainConfig *config;
  char *xml;

  xml = virDomainGetXMLDesc (dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
  if (xml == NULL)
    {
      _vmem_set_error_from_libvirt (error, "Cannot read the XML of domain '%s'", name);
      return NULL;
    }

  /* libvirt wrote it: the reader for libvirt's own output. libvirt's
   * strings are libvirt's to free. */
  config = _vmem_domain_config_new_from_libvirt_xml (xml, strlen (xml), error);
  free (xml);
  return config;
}

/* The state a lifecycle event leaves a domain in, or -1 when the event
 * does not say (a definition, a guest shutting down). */
static int
state_after_event (int event)
{
  switch (event)
    {
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_RESUMED:
      return VMEM_DOMAIN_STATE_RUNNING;
    case VIR_DOMAIN_EVENT_SUSPENDED:
      return VMEM_DOMAIN_STATE_PAUSED;
    case VIR_DOMAIN_EVENT_STOPPED:
      return VMEM_DOMAIN_STATE_SHUTOFF;
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
      return VMEM_DOMAIN_STATE_PMSUSPENDED;
    case VIR_DOMAIN_EVENT_CRASHED:
      return VMEM_DOMAIN_STATE_CRASHED;
    default:
      return -1;
    }
}

/*
 * _vmem_domain_read_new_after_event:
 * @dom: (transfer full): the domain
 * @event: the lifecycle event libvirt reported for it, or -1
 *
 * Reads a domain after a lifecycle event: its live XML, and its state
 * from the event where the event says it and the XML agrees (a domain
 * with an id runs), which saves a round trip to the daemon; it asks
 * libvirt otherwise. Blocking; any thread.
 */
VmemDomainRead *
_vmem_domain_read_new_after_event (virDomainPtr   dom,
                                   int            event,
                                   GError       **error)
{
  g_autoptr(VmemDomainConfig) config = fetch_config (dom, FALSE, error);
  int state = state_after_event (event);
  gboolean active;

  if (config == NULL)
    {
      virDomainFree (dom);
      return NULL;
    }

  active = vmem_domain_config_get_id (config) >= 0;
  if (!active)
    state = VMEM_DOMAIN_STATE_SHUTOFF;
  else if (state < 0 || state == VMEM_DOMAIN_STATE_SHUTOFF)
    {
      const char *name = virDomainGetName (dom);
      int reason;

      if (virDomainGetState (dom, &state, &reason, 0) < 0)
        {
          _vmem_set_error_from_libvirt (error, "Cannot get the state of domain '%s'", name);
          virDomainFree (dom);
          return NULL;
        }
    }

  return _vmem_domain_read_new_take (dom, g_steal_pointer (&config), state);
}

/*
 * _vmem_domain_read_new:
 * @dom: (transfer full): the domain
 *
 * Reads what a domain looks like now: its live XML (the configuration of
 * a stopped domain) and its state. Blocking; any thread.
 */
VmemDomainRead *
_vmem_domain_read_new (virDomainPtr   dom,
                       GError       **error)
{
  return _vmem_domain_read_new_after_event (dom, -1, error);
}

/* Takes @dom and @config. */
VmemDomainRead *
_vmem_domain_read_new_take (virDomainPtr      dom,
                            VmemDomainConfig *config,
                            VmemDomainState   state)
{
  VmemDomainRead *read = g_new0 (VmemDomainRead, 1);

  read->dom = dom;
  read->config = config;
  read->state = state;
  return read;
}

void
_vmem_domain_read_free (gpointer data)
{
  VmemDomainRead *read = data;

  if (read->dom != NULL)
    virDomainFree (read->dom);
  g_clear_object (&read->config);
  g_free (read);
}

static void
set_state (VmemDomain      *self,
           VmemDomainState  state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static VmemMemoryDevice *
find_device (GListModel *model,
             const char *alias,
             guint      *out_position)
{
  guint n = g_list_model_get_n_items (model);

  if (alias == NULL)
    return NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (model, i);

      if (g_strcmp0 (vmem_memory_device_get_alias (device), alias) == 0)
        {
          if (out_position != NULL)
            *out_position = i;
          return device;   /* the model keeps its reference */
        }
    }

  return NULL;
}

static void detach_complete_removed (VmemDomain *self);

/* Brings the figures in line with the last read and @devices, the live
 * devices; a domain being made notifies nothing, as nobody watches it. */
static void
update_figures_with (VmemDomain        *self,
                     VmemMemoryDevice **devices,
                     guint              n_devices)
{
  VmemHotplugFigures hotplug;
  gboolean notify = self->figures_shown;

  _vmem_memory_usage_compute (self->config, devices, n_devices, self->libvirt_version,
                              self->memory, self->nodes, notify, &hotplug);
  self->figures_shown = TRUE;

  if (!notify)
    {
      self->hotplug = hotplug;
      return;
    }

  if (self->hotplug.max_memory != hotplug.max_memory)
    {
      self->hotplug.max_memory = hotplug.max_memory;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_MEMORY]);
    }
  if (self->hotplug.slots != hotplug.slots)
    {
      self->hotplug.slots = hotplug.slots;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY_SLOTS]);
    }
  if (self->hotplug.free_slots != hotplug.free_slots)
    {
      self->hotplug.free_slots = hotplug.free_slots;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FREE_MEMORY_SLOTS]);
    }
  if (self->hotplug.headroom != hotplug.headroom)
    {
      self->hotplug.headroom = hotplug.headroom;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOTPLUG_HEADROOM]);
    }
}

static void
update_figures (VmemDomain *self)
{
  GListModel *model = G_LIST_MODEL (self->devices);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_full (n, g_object_unref);

  if (self->config == NULL)
    return;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (devices, g_list_model_get_item (model, i));
  update_figures_with (self, (VmemMemoryDevice **) devices->pdata, devices->len);
}

/* The figures' objects, made with their values when first asked for: a
 * domain nobody asks costs neither them nor their upkeep. */
static void
ensure_usage (VmemDomain *self)
{
  if (self->memory != NULL)
    return;

  self->memory = _vmem_memory_usage_new (-1);
  self->nodes = g_list_store_new (VMEM_TYPE_MEMORY_USAGE);
  update_figures (self);
}

/* The live device that @fresh, a device of a new read at @position, is a
 * new read of: the one of the same alias, or for devices without one
 * (a stopped domain's) the one at the same place. */
static VmemMemoryDevice *
find_counterpart (GListModel       *current,
                  VmemMemoryDevice *fresh,
                  guint             position)
{
  const char *alias = vmem_memory_device_get_alias (fresh);
  VmemMemoryDevice *existing;

  if (alias != NULL)
    existing = find_device (current, alias, NULL);
  else
    {
      g_autoptr(VmemMemoryDevice) same_place = g_list_model_get_item (current, position);

      existing = same_place != NULL && vmem_memory_device_get_alias (same_place) == NULL
        ? same_place : NULL;   /* the model keeps its reference */
    }

  return existing != NULL && G_OBJECT_TYPE (existing) == G_OBJECT_TYPE (fresh) ? existing : NULL;
}

/*
 * _vmem_domain_apply_read:
 *
 * Brings the devices, the figures and the state in line with a fresh read
 * of the domain. A device that is a new read of a live one updates that
 * one in place; the model changes only where devices came or went. The
 * read's devices become the new live ones: nothing else holds them.
 */
void
_vmem_domain_apply_read (VmemDomain     *self,
                         VmemDomainRead *read)
{
  g_autoptr(GPtrArray) fresh = _vmem_domain_config_take_memory_devices (read->config);
  GListModel *current = G_LIST_MODEL (self->devices);
  guint n_current = g_list_model_get_n_items (current);
  g_autoptr(GPtrArray) next = g_ptr_array_new_full (fresh->len, g_object_unref);
  gboolean same = fresh->len == n_current;

  for (guint i = 0; i < fresh->len; i++)
    {
      VmemMemoryDevice *device = fresh->pdata[i];
      VmemMemoryDevice *existing = find_counterpart (current, device, i);

      if (existing != NULL)
        {
          _vmem_memory_device_update_from (existing, device);
          g_ptr_array_add (next, g_object_ref (existing));
        }
      else
        {
          _vmem_memory_device_adopt (device, self);
          g_ptr_array_add (next, g_object_ref (device));
        }
    }

  for (guint i = 0; same && i < fresh->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (current, i);

      same = item == next->pdata[i];
    }

  g_set_object (&self->config, read->config);

  if (!same)
    {
      /* Devices that went away reach no guest any more. */
      for (guint i = 0; i < n_current; i++)
        {
          g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (current, i);

          if (!g_ptr_array_find (next, device, NULL))
            _vmem_memory_device_orphan (device);
        }
      g_list_store_splice (self->devices, 0, n_current, next->pdata, next->len);
    }

  update_figures_with (self, (VmemMemoryDevice **) next->pdata, next->len);
  set_state (self, read->state);
  detach_complete_removed (self);
}

static VmemDomainRead *
refresh_read (VmemDomain  *self,
              GError     **error)
{
  virDomainPtr dom = _vmem_domain_dup_vir_domain (self, error);

  if (dom == NULL)
    return NULL;

  return _vmem_domain_read_new (dom, error);
}

/**
 * vmem_domain_refresh:
 * @self: a #VmemDomain
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError, or %NULL
 *
 * Reads the domain's state and memory devices again, blocking. Events
 * keep them current; this is for when an application wants to be sure.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
vmem_domain_refresh (VmemDomain    *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  VmemDomainRead *read;

  g_return_val_if_fail (VMEM_IS_DOMAIN (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  read = refresh_read (self, error);
  if (read == NULL)
    return FALSE;

  _vmem_domain_apply_read (self, read);
  _vmem_domain_read_free (read);
  return TRUE;
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  VmemDomainRead *read = refresh_read (source_object, &error);

  if (read == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, read, _vmem_domain_read_free);
}

/**
 * vmem_domain_refresh_async:
 * @self: a #VmemDomain
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the domain was read
 * @user_data: data for @callback
 *
 * Reads the domain's state and memory devices again without blocking;
 * see vmem_domain_refresh().
 *
 * Since: 0.1
 */
void
vmem_domain_refresh_async (VmemDomain          *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VMEM_IS_DOMAIN (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmem_domain_refresh_async);
  g_task_set_check_cancellable (task, TRUE);
  _vmem_task_run_in_thread (task, refresh_thread);
}

/**
 * vmem_domain_refresh_finish:
 * @self: a #VmemDomain
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes vmem_domain_refresh_async(), applying what was read.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
vmem_domain_refresh_finish (VmemDomain    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  VmemDomainRead *read;

  g_return_val_if_fail (VMEM_IS_DOMAIN (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmem_domain_refresh_async, FALSE);

  read = g_task_propagate_pointer (G_TASK (result), error);
  if (read == NULL)
    return FALSE;

  _vmem_domain_apply_read (self, read);
  _vmem_domain_read_free (read);
  return TRUE;
}

static void
queued_refresh_done (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  VmemDomain *self = VMEM_DOMAIN (object);
  g_autoptr(GError) error = NULL;

  if (!vmem_domain_refresh_finish (self, result, &error))
    g_debug ("Domain '%s' could not be read again: %s", self->name, error->message);

  self->refreshing = FALSE;
  if (self->refresh_again)
    _vmem_domain_queue_refresh (self);
}

/*
 * _vmem_domain_queue_refresh:
 *
 * Reads the domain again off the context's thread, once however many
 * events asked for it meanwhile.
 */
void
_vmem_domain_queue_refresh (VmemDomain *self)
{
  if (self->refreshing)
    {
      self->refresh_again = TRUE;
      return;
    }

  self->refreshing = TRUE;
  self->refresh_again = FALSE;
  vmem_domain_refresh_async (self, NULL, queued_refresh_done, NULL);
}

/*
 * _vmem_domain_size_change_target:
 *
 * The live device a size change reported for @alias is about, or %NULL
 * for one the model does not know yet, which it will after a read.
 */
VmemMemoryDevice *
_vmem_domain_size_change_target (VmemDomain *self,
                                 const char *alias)
{
  VmemMemoryDevice *device = find_device (G_LIST_MODEL (self->devices), alias, NULL);

  if (device == NULL)
    _vmem_domain_queue_refresh (self);
  return device;
}

/*
 * _vmem_domain_handle_size_change:
 *
 * The caller freezes @device's notifications around this and its own
 * signal: handlers of the signals read the new size from the device, and
 * the notification, which ends a resize, comes after them, so the last
 * size reported is seen before the resize completes.
 */
void
_vmem_domain_handle_size_change (VmemDomain       *self,
                                 VmemMemoryDevice *device,
                                 guint64           size)
{
  _vmem_memory_device_report_size (device, size);
  update_figures (self);
  g_signal_emit (self, signals[MEMORY_DEVICE_SIZE_CHANGED], 0, device, size);
}

void
_vmem_domain_handle_lifecycle (VmemDomain *self,
                               int         event,
                               int         detail)
{
  /* A guest shutting down still runs: only the event says it. */
  int state = event == VIR_DOMAIN_EVENT_SHUTDOWN ? VMEM_DOMAIN_STATE_SHUTDOWN
                                                 : state_after_event (event);

  if (state >= 0)
    set_state (self, state);
}

/* Detach. */

static void
detach_free (gpointer data)
{
  Detach *detach = data;

  if (detach->cancel_source != NULL)
    {
      g_source_destroy (detach->cancel_source);
      g_source_unref (detach->cancel_source);
    }
  g_clear_object (&detach->task);
  g_free (detach->alias);
  g_free (detach);
}

static void
detach_return (VmemDomain *self,
               Detach     *detach,
               GError     *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&detach->task);

  g_ptr_array_remove (self->detaches, detach);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
detach_complete_removed (VmemDomain *self)
{
  for (guint i = self->detaches->len; i > 0; i--)
    {
      Detach *detach = self->detaches->pdata[i - 1];

      if (detach->called && detach->removed &&
          find_device (G_LIST_MODEL (self->devices), detach->alias, NULL) == NULL)
        detach_return (self, detach, NULL);
    }
}

void
_vmem_domain_handle_device (VmemDomain *self,
                            int         event_id,
                            const char *alias)
{
  for (guint i = self->detaches->len; i > 0; i--)
    {
      Detach *detach = self->detaches->pdata[i - 1];

      if (g_strcmp0 (detach->alias, alias) != 0)
        continue;

      if (event_id == VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED)
        detach->removed = TRUE;
      else if (event_id == VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED)
        detach_return (self, detach,
                       g_error_new (VMEM_ERROR, VMEM_ERROR_BUSY,
                                    "The guest did not release device '%s' of domain '%s'",
                                    alias, self->name));
    }

  _vmem_domain_queue_refresh (self);
}

void
_vmem_domain_handle_closed (VmemDomain *self)
{
  while (self->detaches->len > 0)
    detach_return (self, self->detaches->pdata[0],
                   g_error_new (VMEM_ERROR, VMEM_ERROR_CLOSED,
                                "The connection closed before device '%s' of domain '%s' "
                                "was removed",
                                ((Detach *) self->detaches->pdata[0])->alias, self->name));
}

/* Resolves VMEM_AFFECT_CURRENT as libvirt does, and refuses a live change
 * to a domain that does not run. */
static gboolean
resolve_flags (virDomainPtr      dom,
               VmemAffectFlags   flags,
               VmemAffectFlags  *out_flags,
               gboolean         *out_active,
               GError          **error)
{
  const char *name = virDomainGetName (dom);
  int active = virDomainIsActive (dom);

  if (active < 0)
    {
      _vmem_set_error_from_libvirt (error, "Cannot tell whether domain '%s' runs", name);
      return FALSE;
    }

  if (flags == VMEM_AFFECT_CURRENT)
    flags = active ? VMEM_AFFECT_LIVE : VMEM_AFFECT_CONFIG;

  if ((flags & VMEM_AFFECT_LIVE) && !active)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_RUNNING,
                   "Domain '%s' is not running", virDomainGetName (dom));
      return FALSE;
    }

  *out_flags = flags;
  if (out_active != NULL)
    *out_active = active;
  return TRUE;
}

typedef struct
{
  char            *alias;
  VmemAffectFlags  flags;
} DetachCall;

static void
detach_call_free (gpointer data)
{
  DetachCall *call = data;

  g_free (call->alias);
  g_free (call);
}

static void
detach_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  VmemDomain *self = source_object;
  DetachCall *call = task_data;
  GError *error = NULL;
  virDomainPtr dom = _vmem_domain_dup_vir_domain (self, &error);
  VmemAffectFlags flags;

  if (dom == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!resolve_flags (dom, call->flags, &flags, NULL, &error))
    g_task_return_error (task, error);
  else if (virDomainDetachDeviceAlias (dom, call->alias, flags) < 0)
    {
      _vmem_set_error_from_libvirt (&error, "Cannot detach device '%s' from domain '%s'",
                                    call->alias, self->name);
      g_task_return_error (task, error);
    }
  else
    g_task_return_int (task, flags);

  virDomainFree (dom);
}

static void
detach_called (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  VmemDomain *self = VMEM_DOMAIN (object);
  Detach *detach = user_data;
  GError *error = NULL;
  gssize flags;

  /* Completed already: cancelled, or the connection closed. */
  if (!g_ptr_array_find (self->detaches, detach, NULL))
    return;

  flags = g_task_propagate_int (G_TASK (result), &error);
  if (flags < 0)
    detach_return (self, detach, error);
  else if (!(flags & VMEM_AFFECT_LIVE))
    detach_return (self, detach, NULL);
  else
    {
      /* The removal completes in the guest: libvirt says so with an
       * event, which may have come while the call was under way. */
      detach->called = TRUE;
      if (detach->removed)
        _vmem_domain_queue_refresh (self);
    }
}

static gboolean
detach_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  Detach *detach = user_data;
  VmemDomain *self = g_task_get_source_object (detach->task);
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  detach_return (self, detach, error);
  return G_SOURCE_REMOVE;
}

/**
 * vmem_domain_detach_device_async:
 * @self: a #VmemDomain
 * @alias: the alias of the device to remove
 * @flags: what to remove it from
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the device is removed, or could
 *   not be
 * @user_data: data for @callback
 *
 * Removes a memory device by its alias. From a running domain, removal
 * needs the guest's cooperation: the operation completes when libvirt
 * reports the device removed and the device left the model, and fails
 * with %VMEM_ERROR_BUSY when libvirt reports that the guest did not
 * release it. Cancelling stops the waiting, not the removal.
 *
 * Since: 0.1
 */
void
vmem_domain_detach_device_async (VmemDomain          *self,
                                 const char          *alias,
                                 VmemAffectFlags      flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) call_task = NULL;
  DetachCall *call;
  Detach *detach;

  g_return_if_fail (VMEM_IS_DOMAIN (self));
  g_return_if_fail (alias != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  detach = g_new0 (Detach, 1);
  detach->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (detach->task, vmem_domain_detach_device_async);
  detach->alias = g_strdup (alias);
  g_ptr_array_add (self->detaches, detach);

  if (cancellable != NULL)
    {
      detach->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (detach->cancel_source, G_SOURCE_FUNC (detach_cancelled), detach, NULL);
      g_source_attach (detach->cancel_source, g_task_get_context (detach->task));
    }

  call = g_new0 (DetachCall, 1);
  call->alias = g_strdup (alias);
  call->flags = flags;
  /* The call's task holds the domain until detach_called() ran. */
  call_task = g_task_new (self, NULL, detach_called, detach);
  g_task_set_source_tag (call_task, vmem_domain_detach_device_async);
  g_task_set_task_data (call_task, call, detach_call_free);
  _vmem_task_run_in_thread (call_task, detach_thread);
}

/**
 * vmem_domain_detach_device_finish:
 * @self: a #VmemDomain
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes vmem_domain_detach_device_async().
 *
 * Returns: %TRUE if the device was removed
 *
 * Since: 0.1
 */
gboolean
vmem_domain_detach_device_finish (VmemDomain    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmem_domain_detach_device_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Attach. */

/* The last device of @after that @before does not have: libvirt appends
 * what it attaches. Devices of a running domain are told apart by their
 * aliases; a stopped domain's have none, and are compared whole. */
static guint
new_device_index (VmemDomainConfig *before,
                  VmemDomainConfig *after)
{
  GListModel *old = vmem_domain_config_get_memory_devices (before);
  GListModel *new = vmem_domain_config_get_memory_devices (after);
  guint n_old = g_list_model_get_n_items (old);
  guint n_new = g_list_model_get_n_items (new);
  g_autofree gboolean *used = g_new0 (gboolean, MAX (n_old, 1));
  guint found = n_new > 0 ? n_new - 1 : 0;

  for (guint i = 0; i < n_new; i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (new, i);
      const char *alias = vmem_memory_device_get_alias (device);
      gboolean matched = FALSE;

      for (guint k = 0; k < n_old && !matched; k++)
        {
          g_autoptr(VmemMemoryDevice) other = g_list_model_get_item (old, k);

          if (used[k])
            continue;
          matched = alias != NULL
            ? g_strcmp0 (alias, vmem_memory_device_get_alias (other)) == 0
            : vmem_memory_device_equal (device, other);
          used[k] = matched;
        }

      if (!matched)
        found = i;
    }

  return found;
}

typedef struct
{
  VmemDomainRead   *read;        /* the domain after the attach */
  guint             index;       /* of the new device in the read */
  VmemMemoryDevice *description; /* when the read does not show it */
} Attached;

static void
attached_free (gpointer data)
{
  Attached *attached = data;

  g_clear_pointer (&attached->read, _vmem_domain_read_free);
  g_clear_object (&attached->description);
  g_free (attached);
}

/* Blocking; any thread. */
static Attached *
attach (VmemDomain       *self,
        const char       *xml,
        VmemAffectFlags   flags,
        GError          **error)
{
  virDomainPtr dom = _vmem_domain_dup_vir_domain (self, error);
  g_autoptr(VmemDomainConfig) before = NULL;
  g_autoptr(VmemDomainConfig) after = NULL;
  Attached *attached = NULL;
  gboolean active, inactive_xml;
  int state, reason;

  if (dom == NULL)
    return NULL;

  if (!resolve_flags (dom, flags, &flags, &active, error))
    goto out;

  /* The XML the device shows up in: the live one, or the configuration
   * when only that changes. */
  inactive_xml = !(flags & VMEM_AFFECT_LIVE);
  before = fetch_config (dom, inactive_xml, error);
  if (before == NULL)
    goto out;

  if (virDomainAttachDeviceFlags (dom, xml, flags) < 0)
    {
      _vmem_set_error_from_libvirt (error, "Cannot attach the memory device to domain '%s'",
                                    self->name);
      goto out;
    }

  after = fetch_config (dom, inactive_xml, error);
  if (after == NULL || virDomainGetState (dom, &state, &reason, 0) < 0)
    {
      if (after != NULL)
        _vmem_set_error_from_libvirt (error, "Cannot get the state of domain '%s'", self->name);
      goto out;
    }

  attached = g_new0 (Attached, 1);
  attached->index = new_device_index (before, after);
  if (inactive_xml && active)
    {
      /* Added to the configuration of a running domain: the live objects
       * show the running domain, which does not have it yet. */
      g_autoptr(VmemMemoryDevice) added =
        g_list_model_get_item (vmem_domain_config_get_memory_devices (after), attached->index);

      attached->description = added != NULL ? vmem_memory_device_copy (added) : NULL;
      virDomainRef (dom);
      attached->read = _vmem_domain_read_new (dom, error);
      if (attached->read == NULL)
        g_clear_pointer (&attached, attached_free);
    }
  else
    {
      virDomainRef (dom);
      attached->read = _vmem_domain_read_new_take (dom, g_steal_pointer (&after), state);
    }

out:
  virDomainFree (dom);
  return attached;
}

/* libvirt refuses more devices that take a memory slot than <maxMemory>
 * has slots, and which devices take one depends on its version. The check
 * is made here first, with the figures the domain holds, when the device
 * goes where those figures come from: the running domain, or the
 * configuration of a stopped one. */
static gboolean
check_free_slot (VmemDomain        *self,
                 VmemMemoryDevice  *device,
                 VmemAffectFlags    flags,
                 GError           **error)
{
  gboolean active = self->state != VMEM_DOMAIN_STATE_SHUTOFF;
  gboolean shown = active ? (flags & VMEM_AFFECT_LIVE) || flags == VMEM_AFFECT_CURRENT
                          : !(flags & VMEM_AFFECT_LIVE);

  if (!shown || self->hotplug.slots == 0 || self->hotplug.free_slots > 0 ||
      !_vmem_libvirt_model_takes_slot (self->libvirt_version,
                                       vmem_memory_device_get_model (device)))
    return TRUE;

  _vmem_libvirt_set_slots_error (error, self->libvirt_version,
                                 self->hotplug.slots + 1, self->hotplug.slots);
  g_prefix_error (error, "Cannot attach the memory device to domain '%s': ", self->name);
  return FALSE;
}

/* The device the attach added, as the domain now shows it. */
static VmemMemoryDevice *
attached_apply (VmemDomain *self,
                Attached   *attached)
{
  _vmem_domain_apply_read (self, attached->read);

  if (attached->description != NULL)
    return g_object_ref (attached->description);

  return g_list_model_get_item (G_LIST_MODEL (self->devices), attached->index);
}

/**
 * vmem_domain_attach_device:
 * @self: a #VmemDomain
 * @device: a description of a memory device, such as a #VmemDimm made
 *   with vmem_dimm_new()
 * @flags: what to add it to: the running domain, its configuration, or
 *   both
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError, or %NULL
 *
 * Hot-plugs a memory device into a running domain, or adds it to a
 * domain's configuration. The device is checked with
 * vmem_memory_device_validate() first, and against
 * #VmemDomain:free-memory-slots when it takes a slot (see there) and goes
 * where the domain's figures come from: nothing is sent when it is
 * invalid, or when no slot is left for it (%VMEM_ERROR_INVALID_CONFIG, in
 * the words of that libvirt).
 *
 * The device added is returned as the domain shows it: the live device,
 * with the alias libvirt gave it, already in
 * vmem_domain_get_memory_devices(). A device added only to the
 * configuration of a running domain has no live device until the domain
 * starts again: it is returned as a description read from that
 * configuration.
 *
 * Returns: (transfer full): the device added, or %NULL with an error
 *
 * Since: 0.1
 */
VmemMemoryDevice *
vmem_domain_attach_device (VmemDomain        *self,
                           VmemMemoryDevice  *device,
                           VmemAffectFlags    flags,
                           GCancellable      *cancellable,
                           GError           **error)
{
  g_autofree char *xml = NULL;
  Attached *attached;
  VmemMemoryDevice *added;

  g_return_val_if_fail (VMEM_IS_DOMAIN (self), NULL);
  g_return_val_if_fail (VMEM_IS_MEMORY_DEVICE (device), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!vmem_memory_device_validate (device, error) ||
      !check_free_slot (self, device, flags, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  xml = vmem_memory_device_to_xml (device);
  attached = attach (self, xml, flags, error);
  if (attached == NULL)
    return NULL;

  added = attached_apply (self, attached);
  attached_free (attached);
  return added;
}

typedef struct
{
  char            *xml;
  VmemAffectFlags  flags;
} AttachCall;

static void
attach_call_free (gpointer data)
{
  AttachCall *call = data;

  g_free (call->xml);
  g_free (call);
}

static void
attach_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  AttachCall *call = task_data;
  GError *error = NULL;
  Attached *attached = attach (source_object, call->xml, call->flags, &error);

  if (attached == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, attached, attached_free);
}

/**
 * vmem_domain_attach_device_async:
 * @self: a #VmemDomain
 * @device: a description of a memory device
 * @flags: what to add it to
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the device was added, or not
 * @user_data: data for @callback
 *
 * Adds a memory device without blocking; see vmem_domain_attach_device().
 *
 * Since: 0.1
 */
void
vmem_domain_attach_device_async (VmemDomain          *self,
                                 VmemMemoryDevice    *device,
                                 VmemAffectFlags      flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  AttachCall *call;

  g_return_if_fail (VMEM_IS_DOMAIN (self));
  g_return_if_fail (VMEM_IS_MEMORY_DEVICE (device));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmem_domain_attach_device_async);
  g_task_set_check_cancellable (task, TRUE);

  if (!vmem_memory_device_validate (device, &error) ||
      !check_free_slot (self, device, flags, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  call = g_new0 (AttachCall, 1);
  call->xml = vmem_memory_device_to_xml (device);
  call->flags = flags;
  g_task_set_task_data (task, call, attach_call_free);
  _vmem_task_run_in_thread (task, attach_thread);
}

/**
 * vmem_domain_attach_device_finish:
 * @self: a #VmemDomain
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes vmem_domain_attach_device_async().
 *
 * Returns: (transfer full): the device added, as
 *   vmem_domain_attach_device() returns it, or %NULL with an error
 *
 * Since: 0.1
 */
VmemMemoryDevice *
vmem_domain_attach_device_finish (VmemDomain    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  Attached *attached;
  VmemMemoryDevice *added;

  g_return_val_if_fail (VMEM_IS_DOMAIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmem_domain_attach_device_async, NULL);

  attached = g_task_propagate_pointer (G_TASK (result), error);
  if (attached == NULL)
    return NULL;

  added = attached_apply (self, attached);
  attached_free (attached);
  return added;
}

/* The requested size of a virtio-mem device. */

static VmemVirtioMem *
find_same_device (VmemDomainConfig        *config,
                  const char              *alias,
                  const VmemDeviceAddress *address)
{
  GListModel *devices = vmem_domain_config_get_memory_devices (config);
  guint n = g_list_model_get_n_items (devices);

  /* The alias names a device of a running domain; inactive XML keeps
   * only the address. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemMemoryDevice) candidate = g_list_model_get_item (devices, i);

      if (!VMEM_IS_VIRTIO_MEM (candidate))
        continue;

      if ((alias != NULL && g_strcmp0 (vmem_memory_device_get_alias (candidate), alias) == 0) ||
          (address != NULL &&
           vmem_device_address_equal (vmem_memory_device_get_address (candidate), address)))
        return VMEM_VIRTIO_MEM (g_steal_pointer (&candidate));
    }

  return NULL;
}

static gboolean
update_requested (VmemDomain              *self,
                  virDomainPtr             dom,
                  const char              *alias,
                  const VmemDeviceAddress *address,
                  guint64                  size,
                  gboolean                 inactive,
                  GError                 **error)
{
  g_autoptr(VmemDomainConfig) config = fetch_config (dom, inactive, error);
  g_autoptr(VmemVirtioMem) target = NULL;
  g_autofree char *xml = NULL;

  if (config == NULL)
    return FALSE;

  target = find_same_device (config, alias, address);
  if (target == NULL)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_FOUND,
                   "Device '%s' is not in the %s configuration of domain '%s'",
                   alias, inactive ? "persistent" : "live", self->name);
      return FALSE;
    }

  /* libvirt needs the device as it is, alias and address included, with
   * only the requested size changed; the current size is output. */
  g_object_set (target, "requested-size", size, NULL);
  _vmem_memory_device_report_size (VMEM_MEMORY_DEVICE (target), 0);
  xml = vmem_memory_device_to_xml (VMEM_MEMORY_DEVICE (target));

  if (virDomainUpdateDeviceFlags (dom, xml, inactive ? VIR_DOMAIN_AFFECT_CONFIG
                                                     : VIR_DOMAIN_AFFECT_LIVE) < 0)
    {
      _vmem_set_error_from_libvirt (error, "Cannot change the requested size of '%s'", alias);
      return FALSE;
    }

  return TRUE;
}

/*
 * update_requested_size:
 *
 * Sends a new requested size to libvirt, blocking, for the virtio-mem
 * device of @alias or @address. @out_shown says whether the live device,
 * which shows the live state of a running domain and the configuration of
 * a stopped one, should take it.
 *
 * It runs on worker threads: it takes copies of what names the device,
 * never the device itself, whose alias and address a read on the main
 * context may replace meanwhile.
 */
static gboolean
update_requested_size (VmemDomain              *self,
                       const char              *alias,
                       const VmemDeviceAddress *address,
                       guint64                  size,
                       VmemAffectFlags          flags,
                       gboolean                *out_shown,
                       GError                 **error)
{
  virDomainPtr dom = _vmem_domain_dup_vir_domain (self, error);
  gboolean active = FALSE;
  gboolean ok;

  if (dom == NULL)
    return FALSE;

  ok = resolve_flags (dom, flags, &flags, &active, error) &&
       (!(flags & VMEM_AFFECT_LIVE) ||
        update_requested (self, dom, alias, address, size, FALSE, error)) &&
       (!(flags & VMEM_AFFECT_CONFIG) ||
        update_requested (self, dom, alias, address, size, TRUE, error));
  virDomainFree (dom);

  if (ok)
    *out_shown = (flags & VMEM_AFFECT_LIVE) || !active;
  return ok;
}

/* The live device takes the requested size libvirt took, as a read would
 * give it, and the figures follow. */
static void
show_requested_size (VmemDomain       *self,
                     VmemMemoryDevice *device,
                     guint64           size)
{
  g_autoptr(VmemMemoryDevice) fresh = vmem_memory_device_copy (device);

  g_object_set (fresh, "requested-size", size, NULL);
  _vmem_memory_device_update_from (device, fresh);
  update_figures (self);
}

/* What the worker needs, copied: the device's alias and address may be
 * replaced on the main context while the worker runs. */
typedef struct
{
  VmemMemoryDevice  *device;   /* for the main context only */
  char              *alias;
  VmemDeviceAddress *address;
  guint64            size;
  VmemAffectFlags    flags;
  gboolean           shown;
} SetRequested;

static SetRequested *
set_requested_new (VmemMemoryDevice *device,
                   guint64           size,
                   VmemAffectFlags   flags)
{
  SetRequested *call = g_new0 (SetRequested, 1);
  const VmemDeviceAddress *address = vmem_memory_device_get_address (device);

  call->device = g_object_ref (device);
  call->alias = g_strdup (vmem_memory_device_get_alias (device));
  call->address = address != NULL ? vmem_device_address_copy (address) : NULL;
  call->size = size;
  call->flags = flags;
  return call;
}

static void
set_requested_free (gpointer data)
{
  SetRequested *call = data;

  g_clear_object (&call->device);
  g_free (call->alias);
  g_clear_pointer (&call->address, vmem_device_address_free);
  g_free (call);
}

gboolean
_vmem_domain_set_requested_size (VmemDomain        *self,
                                 VmemMemoryDevice  *device,
                                 guint64            size,
                                 VmemAffectFlags    flags,
                                 GError           **error)
{
  SetRequested *call = set_requested_new (device, size, flags);
  gboolean ok;

  ok = update_requested_size (self, call->alias, call->address, size, flags, &call->shown, error);
  if (ok && call->shown)
    show_requested_size (self, device, size);
  set_requested_free (call);
  return ok;
}

static void
set_requested_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  SetRequested *call = task_data;
  GError *error = NULL;

  if (update_requested_size (source_object, call->alias, call->address, call->size,
                             call->flags, &call->shown, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
_vmem_domain_set_requested_size_async (VmemDomain          *self,
                                       VmemMemoryDevice    *device,
                                       guint64              size,
                                       VmemAffectFlags      flags,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, _vmem_domain_set_requested_size_async);
  g_task_set_check_cancellable (task, TRUE);
  g_task_set_task_data (task, set_requested_new (device, size, flags), set_requested_free);
  _vmem_task_run_in_thread (task, set_requested_thread);
}

gboolean
_vmem_domain_set_requested_size_finish (VmemDomain    *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  SetRequested *call = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  if (call->shown)
    show_requested_size (self, call->device, call->size);
  return TRUE;
}

/**
 * vmem_domain_get_connection:
 * @self: a #VmemDomain
 *
 * Gives the #VmemDomain:connection of the domain.
 *
 * Returns: (transfer none): the connection
 *
 * Since: 0.1
 */
VmemConnection *
vmem_domain_get_connection (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), NULL);

  return self->connection;
}

/**
 * vmem_domain_get_name:
 * @self: a #VmemDomain
 *
 * Gives the #VmemDomain:name of the domain.
 *
 * Returns: the name
 *
 * Since: 0.1
 */
const char *
vmem_domain_get_name (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), NULL);

  return self->name;
}

/**
 * vmem_domain_get_uuid:
 * @self: a #VmemDomain
 *
 * Gives the #VmemDomain:uuid of the domain.
 *
 * Returns: the UUID
 *
 * Since: 0.1
 */
const char *
vmem_domain_get_uuid (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), NULL);

  return self->uuid;
}

/**
 * vmem_domain_get_state:
 * @self: a #VmemDomain
 *
 * Gives the #VmemDomain:state of the domain.
 *
 * Returns: the state
 *
 * Since: 0.1
 */
VmemDomainState
vmem_domain_get_state (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), VMEM_DOMAIN_STATE_NOSTATE);

  return self->state;
}

/**
 * vmem_domain_is_active:
 * @self: a #VmemDomain
 *
 * Whether the domain runs, paused or not.
 *
 * Returns: %TRUE if the domain is active
 *
 * Since: 0.1
 */
gboolean
vmem_domain_is_active (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), FALSE);

  return self->state != VMEM_DOMAIN_STATE_NOSTATE &&
         self->state != VMEM_DOMAIN_STATE_SHUTOFF &&
         self->state != VMEM_DOMAIN_STATE_CRASHED;
}

/**
 * vmem_domain_get_memory_devices:
 * @self: a #VmemDomain
 *
 * Gives the domain's memory devices, kept current by libvirt's events.
 *
 * Returns: (transfer none): a #GListModel of #VmemMemoryDevice
 *
 * Since: 0.1
 */
GListModel *
vmem_domain_get_memory_devices (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), NULL);

  return G_LIST_MODEL (self->devices);
}

/**
 * vmem_domain_dup_config:
 * @self: a #VmemDomain
 *
 * Gives a snapshot of the domain's XML as last read, for what the live
 * objects do not carry, such as the NUMA cells' CPUs or the boot memory:
 * a copy, whose memory devices are descriptions copied from the live
 * ones. Nothing in it changes afterwards.
 *
 * Returns: (transfer full): a new #VmemDomainConfig
 *
 * Since: 0.1
 */
VmemDomainConfig *
vmem_domain_dup_config (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), NULL);
  g_return_val_if_fail (self->config != NULL, NULL);

  return _vmem_domain_config_copy_with_devices (self->config, G_LIST_MODEL (self->devices));
}

/**
 * vmem_domain_get_memory:
 * @self: a #VmemDomain
 *
 * Gives the #VmemDomain:memory of the domain.
 *
 * Returns: (transfer none): the whole domain's memory in figures
 *
 * Since: 0.1
 */
VmemMemoryUsage *
vmem_domain_get_memory (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), NULL);

  ensure_usage (self);
  return self->memory;
}

/**
 * vmem_domain_get_numa_nodes:
 * @self: a #VmemDomain
 *
 * Gives the #VmemDomain:numa-nodes of the domain.
 *
 * Returns: (transfer none): a #GListModel of #VmemMemoryUsage
 *
 * Since: 0.1
 */
GListModel *
vmem_domain_get_numa_nodes (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), NULL);

  ensure_usage (self);
  return G_LIST_MODEL (self->nodes);
}

/**
 * vmem_domain_get_max_memory:
 * @self: a #VmemDomain
 *
 * Gives the #VmemDomain:max-memory of the domain.
 *
 * Returns: the most memory in bytes, or 0 without memory hot-plug
 *
 * Since: 0.1
 */
guint64
vmem_domain_get_max_memory (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), 0);

  return self->hotplug.max_memory;
}

/**
 * vmem_domain_get_memory_slots:
 * @self: a #VmemDomain
 *
 * Gives the #VmemDomain:memory-slots of the domain.
 *
 * Returns: the memory slots
 *
 * Since: 0.1
 */
guint
vmem_domain_get_memory_slots (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), 0);

  return self->hotplug.slots;
}

/**
 * vmem_domain_get_free_memory_slots:
 * @self: a #VmemDomain
 *
 * Gives the #VmemDomain:free-memory-slots of the domain.
 *
 * Returns: the memory slots no device takes
 *
 * Since: 0.1
 */
guint
vmem_domain_get_free_memory_slots (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), 0);

  return self->hotplug.free_slots;
}

/**
 * vmem_domain_get_hotplug_headroom:
 * @self: a #VmemDomain
 *
 * Gives the #VmemDomain:hotplug-headroom of the domain.
 *
 * Returns: the memory, in bytes, devices can still add
 *
 * Since: 0.1
 */
guint64
vmem_domain_get_hotplug_headroom (VmemDomain *self)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), 0);

  return self->hotplug.headroom;
}

/**
 * vmem_domain_find_memory_device:
 * @self: a #VmemDomain
 * @alias: a device alias, such as "virtiomem0"
 *
 * Finds a memory device of the domain by its alias.
 *
 * Returns: (transfer none) (nullable): the device, or %NULL
 *
 * Since: 0.1
 */
VmemMemoryDevice *
vmem_domain_find_memory_device (VmemDomain *self,
                                const char *alias)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (self), NULL);
  g_return_val_if_fail (alias != NULL, NULL);

  return find_device (G_LIST_MODEL (self->devices), alias, NULL);
}
