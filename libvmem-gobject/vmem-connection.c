/* vmem-connection.c: a connection to libvirt, and the live model of its domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-connection.h"

#include <signal.h>
#include <string.h>

#include "vmem-enum-types.h"
#include "vmem-domain-config-private.h"
#include "vmem-domain-private.h"
#include "vmem-error.h"

/**
 * SECTION:vmem-connection
 * @Title: VmemConnection
 * @Short_description: A connection to a libvirt daemon or driver, and its domains
 *
 * #VmemConnection opens any libvirt URI (`qemu:///system`,
 * `qemu+ssh://host/system`, `qemu+tls://host/system`, `test:///default`,
 * or %NULL for libvirt's default) and keeps a live model of its domains:
 * #VmemConnection:domains, a #GListModel of #VmemDomain that a list view
 * can bind to. Opening reads every domain; afterwards libvirt's events
 * keep the model current: a domain defined, or a transient one created,
 * is added; a domain undefined, or a transient one destroyed, is removed,
 * each with #GListModel::items-changed and then
 * #VmemConnection::domain-added or #VmemConnection::domain-removed, in
 * the same main-loop dispatch. A domain stays the same object as it
 * changes, and while the application holds it, across its removal and
 * definition again, and across a closed and reopened connection.
 *
 * The connection owns the live state. While it is open it holds its
 * domains, and each domain its devices: an object the application got
 * from it stays usable however the application's language collects its
 * objects, and an open connection stays alive, with its domains, until
 * vmem_connection_close() or until libvirt closes it. Closing empties the
 * model. A C application closes the connections it opened before it drops
 * its last reference.
 *
 * #VmemConnection::memory-device-size-changed follows the virtio-mem
 * devices of every domain, without holding or connecting to each domain.
 *
 * Events need no set-up. libvirt takes one event loop implementation per
 * process; when the application registered one before opening its first
 * connection (libvirt-glib's gvir_event_register(), or
 * virEventRegisterDefaultImpl() with a thread of its own running it), the
 * library uses it, and otherwise it runs libvirt's default one on a
 * thread of its own. Either way signals and property notifications are
 * emitted on the #GMainContext that was the thread-default when the
 * connection was opened.
 *
 * libvirt 9.0's default implementation iterates GLib's global default
 * context: an application that runs it on a thread of its own while a
 * GLib main loop runs on the default context has two threads dispatching
 * that context. Such an application opens its connections under a
 * thread-default context of its own (g_main_context_push_thread_default())
 * and runs its main loop on that one, so signals arrive on its thread.
 *
 * When the link drops (the daemon goes away, or stops answering keepalive
 * messages) the connection emits #VmemConnection::closed; calls then fail
 * with %VMEM_ERROR_CLOSED until vmem_connection_open() succeeds again,
 * which reads the domains again into the same objects.
 *
 * Remote hosts are reached through libvirt's own remote protocol, over
 * `qemu+tcp://`, `qemu+tls://` (`?pkipath=` for the certificates) or
 * `qemu+ssh://` URIs. An application that watches several hosts opens one
 * connection per host, all on one main context; each keeps its own model
 * and signals, and one host going away closes only its connection.
 * Opening runs on a worker, so the main context never waits for the
 * network; it is bounded by #VmemConnection:open-timeout and honours its
 * cancellable. Its errors tell a host that cannot be reached
 * (%VMEM_ERROR_UNREACHABLE), a daemon that never answers
 * (%VMEM_ERROR_TIMED_OUT), a refused certificate
 * (%VMEM_ERROR_CERTIFICATE), an unknown SSH host key
 * (%VMEM_ERROR_HOST_KEY) and refused credentials
 * (%VMEM_ERROR_AUTH_FAILED) apart. #VmemConnection:keepalive-interval and
 * #VmemConnection:keepalive-count set how soon a daemon that went silent
 * (frozen, or cut off without a word) closes the connection: libvirt
 * closes it once count probes sent an interval apart went unanswered, so
 * at most interval × (count + 1) seconds after the daemon last spoke.
 *
 * libvirt's client writes to its sockets in a way that raises SIGPIPE
 * when a daemon closed its end. As GIO's #GSocket does, the library
 * ignores SIGPIPE process-wide from the first use of #VmemConnection,
 * unless the application installed a handler of its own.
 */

/**
 * VmemConnection:
 *
 * A connection to libvirt.
 *
 * Since: 0.1
 */

/* What libvirt's callbacks hold: they may outlive the connection object,
 * and run on whatever thread runs libvirt's event loop. A link belongs to
 * one libvirt connection: its events are stale once another replaced it. */
typedef struct
{
  gatomicrefcount  ref_count;
  GWeakRef         connection;
  GMainContext    *context;

  /* Lifecycle events wait for a read of their domain, in order, on a
   * worker: the read's result goes to the context with the event. */
  GMutex           lock;
  GQueue           reads;      /* of ReadJob */
  gboolean         reading;

  /* The context's thread only. The connection took the link: before it
   * does (an open under way), messages wait in @early. */
  gboolean         adopted;
  GQueue           early;      /* of Message */
} EventLink;

struct _VmemConnection
{
  GObject parent_instance;

  char          *uri;

  GMutex         lock;         /* guards vconn */
  virConnectPtr  vconn;

  /* The context's thread only. */
  GHashTable    *domains;      /* UUID string -> GWeakRef * to VmemDomain */
  GListStore    *model;        /* of VmemDomain, held while open */
  guint          keepalive_interval;
  guint          keepalive_count;
  guint          open_timeout;
  EventLink     *link;
  int            callback_ids[5];
  guint          n_callbacks;
  guint          libvirt_version;   /* of the daemon, at the last open */
};

G_DEFINE_FINAL_TYPE (VmemConnection, vmem_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_CONNECTED,
  PROP_DOMAINS,
  PROP_KEEPALIVE_INTERVAL,
  PROP_KEEPALIVE_COUNT,
  PROP_OPEN_TIMEOUT,
  PROP_LIBVIRT_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CLOSED,
  DOMAIN_ADDED,
  DOMAIN_REMOVED,
  MEMORY_DEVICE_SIZE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* An event, carried from libvirt's thread to the connection's context. */

typedef enum {
  MESSAGE_CLOSED,
  MESSAGE_LIFECYCLE,
  MESSAGE_SIZE_CHANGE,
  MESSAGE_DEVICE,
} MessageKind;

typedef struct
{
  EventLink      *link;        /* NULL while it waits in the link's queue */
  MessageKind     kind;
  char            uuid[VIR_UUID_STRING_BUFLEN];
  char           *alias;
  guint64         size;
  int             event;
  int             detail;
  VmemDomainRead *read;        /* a lifecycle event's domain, read after it */
  gboolean        gone;        /* libvirt has no such domain any more */
} Message;

typedef struct
{
  virDomainPtr dom;
  int          event;
  int          detail;
} ReadJob;

static void message_free (gpointer data);

static EventLink *
event_link_new (VmemConnection *connection,
                GMainContext   *context)
{
  EventLink *link = g_new0 (EventLink, 1);

  g_atomic_ref_count_init (&link->ref_count);
  g_weak_ref_init (&link->connection, connection);
  link->context = g_main_context_ref (context);
  g_mutex_init (&link->lock);
  g_queue_init (&link->reads);
  g_queue_init (&link->early);
  return link;
}

static gpointer
event_link_ref (EventLink *link)
{
  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

/* Cuts the link off from its connection, on the connection's thread,
 * when the link leaves it: whatever thread drops the link's last
 * reference then no longer touches the connection (GLib 2.74's weak
 * references race with the object's unref on another thread). */
static void
event_link_cut (EventLink *link)
{
  g_weak_ref_set (&link->connection, NULL);
}

static void
read_job_free (gpointer data)
{
  ReadJob *job = data;

  virDomainFree (job->dom);
  g_free (job);
}

static void
event_link_unref (gpointer data)
{
  EventLink *link = data;

  if (g_atomic_ref_count_dec (&link->ref_count))
    {
      g_weak_ref_clear (&link->connection);
      g_main_context_unref (link->context);
      g_queue_clear_full (&link->reads, read_job_free);
      g_queue_clear_full (&link->early, message_free);
      g_mutex_clear (&link->lock);
      g_free (link);
    }
}

static void
message_free (gpointer data)
{
  Message *message = data;

  if (message->link != NULL)
    event_link_unref (message->link);
  g_free (message->alias);
  g_clear_pointer (&message->read, _vmem_domain_read_free);
  g_free (message);
}

static void dispatch (VmemConnection *self,
                      Message        *message);

static gboolean
message_dispatch (gpointer data)
{
  Message *message = data;
  EventLink *link = message->link;
  g_autoptr(VmemConnection) self = g_weak_ref_get (&link->connection);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  /* An open under way: its events come after what it read. The queue
   * holds the message, without its reference to the link. */
  if (!link->adopted)
    {
      Message *kept = g_memdup2 (message, sizeof *message);

      kept->link = NULL;
      message->alias = NULL;
      message->read = NULL;
      g_queue_push_tail (&link->early, kept);
      return G_SOURCE_REMOVE;
    }

  /* Events of a link that was torn down are stale. */
  if (self->link != link)
    return G_SOURCE_REMOVE;

  dispatch (self, message);
  return G_SOURCE_REMOVE;
}

static void
message_send (EventLink *link,
              Message   *message)
{
  GSource *source = g_idle_source_new ();

  message->link = event_link_ref (link);

  /* Always from the context's next iteration, never inline: libvirt may
   * hold its locks while calling us (the close callback does), and the
   * handlers call back into libvirt. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, message_dispatch, message, message_free);
  g_source_set_static_name (source, "[vmem] libvirt event");
  g_source_attach (source, link->context);
  g_source_unref (source);
}

static void
message_post (EventLink    *link,
              MessageKind   kind,
              virDomainPtr  dom,
              const char   *alias,
              guint64       size,
              int           event,
              int           detail)
{
  Message *message = g_new0 (Message, 1);

  message->kind = kind;
  if (dom != NULL)
    virDomainGetUUIDString (dom, message->uuid);
  message->alias = g_strdup (alias);
  message->size = size;
  message->event = event;
  message->detail = detail;
  message_send (link, message);
}

/* The reads of lifecycle events: one worker at a time per link, so their
 * results reach the context in the events' order; a read can take a
 * round trip to a remote daemon, which libvirt's event thread must not
 * wait for. */

/* Whether libvirt has no domain of @uuid any more, as opposed to a read
 * that failed for another reason (not all drivers say which). */
static gboolean
is_gone (virDomainPtr  dom,
         const char   *uuid)
{
  virConnectPtr vconn = virDomainGetConnect (dom);
  virDomainPtr again;

  if (virConnectIsAlive (vconn) != 1)
    return FALSE;

  again = virDomainLookupByUUIDString (vconn, uuid);
  if (again == NULL)
    return TRUE;

  virDomainFree (again);
  return FALSE;
}

static void
reader_drain (gpointer data,
              gpointer user_data)
{
  EventLink *link = data;

  for (;;)
    {
      ReadJob *job;
      Message *message;
      GError *error = NULL;

      g_mutex_lock (&link->lock);
      job = g_queue_pop_head (&link->reads);
      if (job == NULL)
        link->reading = FALSE;
      g_mutex_unlock (&link->lock);

      if (job == NULL)
        break;

      message = g_new0 (Message, 1);
      message->kind = MESSAGE_LIFECYCLE;
      virDomainGetUUIDString (job->dom, message->uuid);
      message->event = job->event;
      message->detail = job->detail;
      virDomainRef (job->dom);
      message->read = _vmem_domain_read_new_after_event (job->dom, job->event, &error);
      if (message->read == NULL)
        {
          /* libvirt's own "no such domain" says it; a driver that
           * says nothing is asked. */
          message->gone = g_error_matches (error, VMEM_ERROR, VMEM_ERROR_NOT_FOUND) ||
                          is_gone (job->dom, message->uuid);
          g_debug ("Cannot read domain %s after its event %d%s: %s", message->uuid,
                   message->event, message->gone ? ", gone" : "", error->message);
          g_clear_error (&error);
        }
      read_job_free (job);
      message_send (link, message);
    }

  event_link_unref (link);
}

static GThreadPool *
reader_pool (void)
{
  static gsize pool;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, (gsize) g_thread_pool_new (reader_drain, NULL, -1, FALSE, NULL));
  return (GThreadPool *) pool;
}

static int
on_lifecycle (virConnectPtr  vconn,
              virDomainPtr   dom,
              int            event,
              int            detail,
              void          *opaque)
{
  EventLink *link = opaque;
  ReadJob *job = g_new0 (ReadJob, 1);
  gboolean start;

  virDomainRef (dom);
  job->dom = dom;
  job->event = event;
  job->detail = detail;

  g_mutex_lock (&link->lock);
  g_queue_push_tail (&link->reads, job);
  start = !link->reading;
  link->reading = TRUE;
  g_mutex_unlock (&link->lock);

  if (start)
    g_thread_pool_push (reader_pool (), event_link_ref (link), NULL);
  return 0;
}

static void
on_size_change (virConnectPtr       vconn,
                virDomainPtr        dom,
                const char         *alias,
                unsigned long long  size_kib,
                void               *opaque)
{
  /* libvirt reports KiB; the API speaks bytes. */
  guint64 bytes = size_kib <= G_MAXUINT64 / 1024 ? size_kib * 1024 : G_MAXUINT64;

  message_post (opaque, MESSAGE_SIZE_CHANGE, dom, alias, bytes, 0, 0);
}

static void
on_device_added (virConnectPtr  vconn,
                 virDomainPtr   dom,
                 const char    *alias,
                 void          *opaque)
{
  message_post (opaque, MESSAGE_DEVICE, dom, alias, 0, VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, 0);
}

static void
on_device_removed (virConnectPtr  vconn,
                   virDomainPtr   dom,
                   const char    *alias,
                   void          *opaque)
{
  message_post (opaque, MESSAGE_DEVICE, dom, alias, 0, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, 0);
}

static void
on_device_removal_failed (virConnectPtr  vconn,
                          virDomainPtr   dom,
                          const char    *alias,
                          void          *opaque)
{
  message_post (opaque, MESSAGE_DEVICE, dom, alias, 0,
                VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED, 0);
}

static void
on_close (virConnectPtr  vconn,
          int            reason,
          void          *opaque)
{
  message_post (opaque, MESSAGE_CLOSED, NULL, NULL, 0, reason, 0);
}

/* Registers the callbacks before the domains are read, so that no event
 * between the two is missed. Any thread. */
static guint
register_callbacks (virConnectPtr  vconn,
                    const char    *uri,
                    EventLink     *link,
                    int            ids[5])
{
  static const struct {
    int                        id;
    virConnectDomainEventGenericCallback callback;
  } events[] = {
    { VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK (on_lifecycle) },
    { VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE, VIR_DOMAIN_EVENT_CALLBACK (on_size_change) },
    { VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, VIR_DOMAIN_EVENT_CALLBACK (on_device_added) },
    { VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, VIR_DOMAIN_EVENT_CALLBACK (on_device_removed) },
    { VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED, VIR_DOMAIN_EVENT_CALLBACK (on_device_removal_failed) },
  };
  guint n = 0;

  G_STATIC_ASSERT (G_N_ELEMENTS (events) == G_N_ELEMENTS (((VmemConnection *) NULL)->callback_ids));

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      int id = virConnectDomainEventRegisterAny (vconn, NULL, events[i].id,
                                                 events[i].callback,
                                                 event_link_ref (link),
                                                 event_link_unref);

      /* A driver without an event is still usable: its other events and
       * the methods work, and nothing waits for what cannot come. */
      if (id < 0)
        {
          g_debug ("%s: no event %d: %s", uri, events[i].id, virGetLastErrorMessage ());
          event_link_unref (link);
          continue;
        }
      ids[n++] = id;
    }

  /* No reference for the close callback: drivers without one accept it
   * and never call the free function. unregister_callbacks() unregisters
   * it before the link goes. */
  if (virConnectRegisterCloseCallback (vconn, on_close, link, NULL) < 0)
    g_debug ("%s: no close callback: %s", uri, virGetLastErrorMessage ());

  return n;
}

/* Drops a libvirt connection: the callbacks first, so none comes after. */
static void
close_vir_connect (virConnectPtr  vconn,
                   const int     *ids,
                   guint          n_ids)
{
  for (guint i = 0; i < n_ids; i++)
    virConnectDomainEventDeregisterAny (vconn, ids[i]);
  virConnectUnregisterCloseCallback (vconn, on_close);
  virConnectClose (vconn);
}

/* A libvirt connection on its way out, with the link its callbacks use. */
typedef struct
{
  virConnectPtr  vconn;
  int            ids[5];
  guint          n_ids;
  EventLink     *link;
} Closing;

static gpointer
closing_thread (gpointer data)
{
  Closing *closing = data;

  close_vir_connect (closing->vconn, closing->ids, closing->n_ids);
  event_link_unref (closing->link);
  g_free (closing);
  return NULL;
}

/* Cuts the connection off from the model at once and closes the libvirt
 * connection on a worker: deregistering and closing are round trips to
 * the daemon, and a frozen daemon answers none of them until keepalive
 * gives up. Events that still come are stale: the link is no longer the
 * connection's. */
static gboolean
teardown (VmemConnection *self)
{
  g_autoptr(GError) error = NULL;
  Closing *closing;
  GThread *thread;

  g_mutex_lock (&self->lock);
  closing = g_new0 (Closing, 1);
  closing->vconn = g_steal_pointer (&self->vconn);
  g_mutex_unlock (&self->lock);

  if (closing->vconn == NULL)
    {
      g_free (closing);
      return FALSE;
    }

  memcpy (closing->ids, self->callback_ids, sizeof closing->ids);
  closing->n_ids = self->n_callbacks;
  self->n_callbacks = 0;
  closing->link = g_steal_pointer (&self->link);
  event_link_cut (closing->link);

  thread = g_thread_try_new ("vmem-close", closing_thread, closing, &error);
  if (thread == NULL)
    {
      g_debug ("%s: closing here: %s", self->uri, error->message);
      closing_thread (closing);
    }
  else
    g_thread_unref (thread);

  return TRUE;
}

/* The model: one object per domain. */

static VmemDomain *
dup_known_domain (VmemConnection *self,
                  const char     *uuid)
{
  GWeakRef *ref = g_hash_table_lookup (self->domains, uuid);

  return ref != NULL ? g_weak_ref_get (ref) : NULL;
}

static gboolean
is_listed (VmemConnection *self,
           VmemDomain     *domain,
           guint          *out_position)
{
  return g_list_store_find (self->model, domain, out_position);
}

/* The domain's one object, made for @read when there is none yet, and
 * brought up to date with it. */
static VmemDomain *
domain_for_read (VmemConnection *self,
                 VmemDomainRead *read)
{
  const char *uuid = vmem_domain_config_get_uuid (read->config);
  VmemDomain *domain = dup_known_domain (self, uuid);

  if (domain == NULL)
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      domain = _vmem_domain_new (self, g_steal_pointer (&read->dom), uuid,
                                 self->libvirt_version);
      g_weak_ref_init (ref, domain);
      g_hash_table_replace (self->domains, g_strdup (uuid), ref);
    }
  else
    _vmem_domain_set_vir_domain (domain, read->dom, self->libvirt_version);

  _vmem_domain_apply_read (domain, read);
  return domain;
}

static void
list_add (VmemConnection *self,
          VmemDomain     *domain)
{
  if (is_listed (self, domain, NULL))
    return;

  g_list_store_append (self->model, domain);
  g_signal_emit (self, signals[DOMAIN_ADDED], 0, domain);
}

static void
list_remove (VmemConnection *self,
             VmemDomain     *domain)
{
  guint position;

  if (!is_listed (self, domain, &position))
    return;

  /* The model's reference may be the last: the signal needs one. */
  g_object_ref (domain);
  g_list_store_remove (self->model, position);
  g_signal_emit (self, signals[DOMAIN_REMOVED], 0, domain);
  g_object_unref (domain);
}

/* Fills the model from a fresh listing, in one change. */
static void
list_replace (VmemConnection *self,
              GPtrArray      *reads)
{
  g_autoptr(GPtrArray) domains = g_ptr_array_new_full (reads->len, g_object_unref);

  for (guint i = 0; i < reads->len; i++)
    g_ptr_array_add (domains, domain_for_read (self, reads->pdata[i]));

  g_list_store_splice (self->model, 0, g_list_model_get_n_items (G_LIST_MODEL (self->model)),
                       domains->pdata, domains->len);
}

static void handle_closed (VmemConnection  *self,
                           VmemCloseReason  reason);

static void
dispatch_size_change (VmemConnection *self,
                      VmemDomain     *domain,
                      const char     *alias,
                      guint64         size)
{
  VmemMemoryDevice *target = _vmem_domain_size_change_target (domain, alias);
  g_autoptr(VmemMemoryDevice) device = NULL;

  if (target == NULL)
    return;

  /* Both signals come before the device's notifications: see
   * _vmem_domain_handle_size_change(). */
  device = g_object_ref (target);
  g_object_freeze_notify (G_OBJECT (device));
  _vmem_domain_handle_size_change (domain, device, size);
  g_signal_emit (self, signals[MEMORY_DEVICE_SIZE_CHANGED], 0, domain, device, size);
  g_object_thaw_notify (G_OBJECT (device));
}

static void
dispatch_lifecycle (VmemConnection *self,
                    VmemDomain     *domain,
                    Message        *message)
{
  if (message->read != NULL)
    {
      g_autoptr(VmemDomain) read_domain = domain_for_read (self, message->read);

      list_add (self, read_domain);
    }
  else if (domain != NULL)
    {
      _vmem_domain_handle_lifecycle (domain, message->event, message->detail);
      if (message->gone)
        list_remove (self, domain);
    }
}

/* The event path: connection, then domain, then list, then signals. */
static void
dispatch (VmemConnection *self,
          Message        *message)
{
  g_autoptr(VmemDomain) domain = NULL;

  if (message->kind == MESSAGE_CLOSED)
    {
      handle_closed (self, message->event);
      return;
    }

  domain = dup_known_domain (self, message->uuid);

  switch (message->kind)
    {
    case MESSAGE_LIFECYCLE:
      dispatch_lifecycle (self, domain, message);
      break;
    case MESSAGE_SIZE_CHANGE:
      /* A domain the model does not have yet: its lifecycle event's read
       * brings it, devices and sizes included. */
      if (domain != NULL)
        dispatch_size_change (self, domain, message->alias, message->size);
      break;
    case MESSAGE_DEVICE:
      if (domain != NULL)
        _vmem_domain_handle_device (domain, message->event, message->alias);
      break;
    case MESSAGE_CLOSED:
    default:
      g_assert_not_reached ();
    }
}

static void
handle_closed (VmemConnection  *self,
               VmemCloseReason  reason)
{
  guint n;

  if (!teardown (self))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemDomain) domain = g_list_model_get_item (G_LIST_MODEL (self->model), i);

      _vmem_domain_handle_closed (domain);
    }

  /* The model lets its domains go; those the application holds are the
   * same objects when the connection opens again. */
  g_list_store_remove_all (self->model);

  g_signal_emit (self, signals[CLOSED], 0, reason);
}

static void
vmem_connection_dispose (GObject *object)
{
  VmemConnection *self = VMEM_CONNECTION (object);

  teardown (self);

  G_OBJECT_CLASS (vmem_connection_parent_class)->dispose (object);
}

static void
vmem_connection_finalize (GObject *object)
{
  VmemConnection *self = VMEM_CONNECTION (object);

  g_free (self->uri);
  g_hash_table_unref (self->domains);
  g_clear_object (&self->model);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (vmem_connection_parent_class)->finalize (object);
}

static void
vmem_connection_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  VmemConnection *self = VMEM_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, vmem_connection_is_open (self));
      break;
    case PROP_DOMAINS:
      g_value_set_object (value, self->model);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_interval);
      break;
    case PROP_KEEPALIVE_COUNT:
      g_value_set_uint (value, self->keepalive_count);
      break;
    case PROP_OPEN_TIMEOUT:
      g_value_set_uint (value, self->open_timeout);
      break;
    case PROP_LIBVIRT_VERSION:
      g_value_set_uint (value, self->libvirt_version);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_connection_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  VmemConnection *self = VMEM_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URI:
      self->uri = g_value_dup_string (value);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      vmem_connection_set_keepalive (self, g_value_get_uint (value), self->keepalive_count);
      break;
    case PROP_KEEPALIVE_COUNT:
      vmem_connection_set_keepalive (self, self->keepalive_interval, g_value_get_uint (value));
      break;
    case PROP_OPEN_TIMEOUT:
      vmem_connection_set_open_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
vmem_connection_class_init (VmemConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  struct sigaction pipe_action;

  /* libvirt's client writes to its sockets with write() and sendmsg(),
   * which raise SIGPIPE when the daemon has closed its end: a daemon
   * that went away, or the end of a close handshake racing a keepalive.
   * As GIO's GSocket does, ignore it process-wide, unless the
   * application set a handler of its own; the writes then fail with
   * EPIPE, which libvirt handles. */
  if (sigaction (SIGPIPE, NULL, &pipe_action) == 0 && pipe_action.sa_handler == SIG_DFL)
    signal (SIGPIPE, SIG_IGN);

  object_class->dispose = vmem_connection_dispose;
  object_class->finalize = vmem_connection_finalize;
  object_class->get_property = vmem_connection_get_property;
  object_class->set_property = vmem_connection_set_property;

  /**
   * VmemConnection:uri:
   *
   * The libvirt URI, or %NULL for libvirt's default.
   *
   * Since: 0.1
   */
  properties[PROP_URI] =
    g_param_spec_string ("uri", "URI", "The libvirt URI, or NULL for libvirt's default", NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * VmemConnection:connected:
   *
   * Whether the connection is open, as vmem_connection_is_open() says.
   *
   * It is not named after vmem_connection_open(): in gjs and Vala a
   * property hides a method of the same name.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", "Connected", "Whether the connection is open", FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmemConnection:domains:
   *
   * The connection's domains, running and not: a #GListModel of
   * #VmemDomain kept current by libvirt's events, empty while the
   * connection is closed. The model stays the same object.
   *
   * Since: 0.1
   */
  properties[PROP_DOMAINS] =
    g_param_spec_object ("domains", "Domains", "The connection's domains, a GListModel of VmemDomain kept current by libvirt's events", G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * VmemConnection:keepalive-interval:
   *
   * Seconds between keepalive messages libvirt sends to a remote daemon
   * when nothing else is being sent, or 0 for none. When
   * #VmemConnection:keepalive-count of them in a row went unanswered,
   * because the daemon is gone, frozen or cut off, libvirt closes the
   * connection an interval after the last one: %VMEM_CLOSE_REASON_KEEPALIVE
   * at most interval × (count + 1) seconds after the daemon last spoke.
   * Local drivers have no keepalive.
   *
   * It applies from the next vmem_connection_open().
   *
   * Since: 0.1
   */
  properties[PROP_KEEPALIVE_INTERVAL] =
    g_param_spec_uint ("keepalive-interval", "Keepalive interval",
                       "Seconds between keepalive messages, 0 for none", 0, G_MAXINT, 5,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmemConnection:keepalive-count:
   *
   * How many keepalive messages in a row may go unanswered before the
   * connection closes; see #VmemConnection:keepalive-interval.
   *
   * It applies from the next vmem_connection_open().
   *
   * Since: 0.1
   */
  properties[PROP_KEEPALIVE_COUNT] =
    g_param_spec_uint ("keepalive-count", "Keepalive count",
                       "Keepalive messages unanswered before the connection closes", 0, G_MAXINT, 3,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmemConnection:open-timeout:
   *
   * Seconds an open may take, reading the domains included, before it
   * fails with %VMEM_ERROR_TIMED_OUT, or 0 for no bound.
   *
   * Since: 0.1
   */
  properties[PROP_OPEN_TIMEOUT] =
    g_param_spec_uint ("open-timeout", "Open timeout",
                       "Seconds an open may take, 0 for no bound", 0, G_MAXUINT, 30,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmemConnection:libvirt-version:
   *
   * The version of the libvirt the connection talks to, as
   * virConnectGetLibVersion() gives it (major * 1,000,000 + minor * 1,000
   * + release: 11003000 for libvirt 11.3.0), read at each open; 0 before
   * the first. Rules that changed between libvirt releases follow it, such
   * as which devices take memory slots (#VmemDomain:free-memory-slots).
   *
   * Since: 0.1
   */
  properties[PROP_LIBVIRT_VERSION] =
    g_param_spec_uint ("libvirt-version", "libvirt version",
                       "The version of the libvirt the connection talks to, 0 before the first open",
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VmemConnection::closed:
   * @self: the connection
   * @reason: why it closed
   *
   * Emitted when the connection closes: the daemon went away or stopped
   * answering, or the application called vmem_connection_close(). The
   * model of domains is empty by then.
   *
   * Since: 0.1
   */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, VMEM_TYPE_CLOSE_REASON);

  /**
   * VmemConnection::domain-added:
   * @self: the connection
   * @domain: the domain
   *
   * Emitted when libvirt reports a domain the model did not have: one
   * defined, or a transient one created. The model's
   * #GListModel::items-changed came just before, in the same dispatch.
   * Opening fills the model without this signal.
   *
   * Since: 0.1
   */
  signals[DOMAIN_ADDED] =
    g_signal_new ("domain-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, VMEM_TYPE_DOMAIN);

  /**
   * VmemConnection::domain-removed:
   * @self: the connection
   * @domain: the domain
   *
   * Emitted when a domain of the model is gone from libvirt: undefined,
   * or a transient one destroyed. The model's
   * #GListModel::items-changed came just before, in the same dispatch.
   * Closing empties the model without this signal.
   *
   * Since: 0.1
   */
  signals[DOMAIN_REMOVED] =
    g_signal_new ("domain-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, VMEM_TYPE_DOMAIN);

  /**
   * VmemConnection::memory-device-size-changed:
   * @self: the connection
   * @domain: the domain of the device
   * @device: the memory device whose size changed
   * @size: the device's new size in the guest, in bytes
   *
   * Emitted for each size libvirt reports for a memory device of any
   * domain of the connection, right after the domain's own
   * #VmemDomain::memory-device-size-changed, and before the device's
   * notifications.
   *
   * Since: 0.1
   */
  signals[MEMORY_DEVICE_SIZE_CHANGED] =
    g_signal_new ("memory-device-size-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  VMEM_TYPE_DOMAIN, VMEM_TYPE_MEMORY_DEVICE, G_TYPE_UINT64);
}

static void
vmem_connection_init (VmemConnection *self)
{
  g_mutex_init (&self->lock);
  self->domains = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, weak_ref_free);
  self->model = g_list_store_new (VMEM_TYPE_DOMAIN);
  self->keepalive_interval = 5;
  self->keepalive_count = 3;
  self->open_timeout = 30;
}

/**
 * vmem_connection_new:
 * @uri: (nullable): a libvirt URI, or %NULL for libvirt's default
 *
 * Creates a connection object; vmem_connection_open() opens it.
 *
 * Returns: (transfer full): a new #VmemConnection
 *
 * Since: 0.1
 */
VmemConnection *
vmem_connection_new (const char *uri)
{
  return g_object_new (VMEM_TYPE_CONNECTION, "uri", uri, NULL);
}

/**
 * vmem_connection_get_uri:
 * @self: a #VmemConnection
 *
 * Gives the #VmemConnection:uri of the connection.
 *
 * Returns: (nullable): the URI given at creation
 *
 * Since: 0.1
 */
const char *
vmem_connection_get_uri (VmemConnection *self)
{
  g_return_val_if_fail (VMEM_IS_CONNECTION (self), NULL);

  return self->uri;
}

/**
 * vmem_connection_is_open:
 * @self: a #VmemConnection
 *
 * Gives the #VmemConnection:connected of the connection.
 *
 * Returns: whether the connection is open
 *
 * Since: 0.1
 */
gboolean
vmem_connection_is_open (VmemConnection *self)
{
  gboolean open;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), FALSE);

  g_mutex_lock (&self->lock);
  open = self->vconn != NULL;
  g_mutex_unlock (&self->lock);
  return open;
}

/**
 * vmem_connection_set_keepalive:
 * @self: a #VmemConnection
 * @interval: seconds between keepalive messages, 0 for none
 * @count: keepalive messages unanswered before the connection closes
 *
 * Sets #VmemConnection:keepalive-interval and
 * #VmemConnection:keepalive-count, which apply from the next
 * vmem_connection_open().
 *
 * Since: 0.1
 */
void
vmem_connection_set_keepalive (VmemConnection *self,
                               guint           interval,
                               guint           count)
{
  g_return_if_fail (VMEM_IS_CONNECTION (self));
  g_return_if_fail (interval <= G_MAXINT && count <= G_MAXINT);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->keepalive_interval != interval)
    {
      self->keepalive_interval = interval;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEPALIVE_INTERVAL]);
    }
  if (self->keepalive_count != count)
    {
      self->keepalive_count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEPALIVE_COUNT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * vmem_connection_get_keepalive_interval:
 * @self: a #VmemConnection
 *
 * Gives the #VmemConnection:keepalive-interval of the connection.
 *
 * Returns: seconds between keepalive messages, 0 for none
 *
 * Since: 0.1
 */
guint
vmem_connection_get_keepalive_interval (VmemConnection *self)
{
  g_return_val_if_fail (VMEM_IS_CONNECTION (self), 0);

  return self->keepalive_interval;
}

/**
 * vmem_connection_get_keepalive_count:
 * @self: a #VmemConnection
 *
 * Gives the #VmemConnection:keepalive-count of the connection.
 *
 * Returns: keepalive messages unanswered before the connection closes
 *
 * Since: 0.1
 */
guint
vmem_connection_get_keepalive_count (VmemConnection *self)
{
  g_return_val_if_fail (VMEM_IS_CONNECTION (self), 0);

  return self->keepalive_count;
}

/**
 * vmem_connection_set_open_timeout:
 * @self: a #VmemConnection
 * @seconds: seconds an open may take, 0 for no bound
 *
 * Sets #VmemConnection:open-timeout, which applies from the next
 * vmem_connection_open().
 *
 * Since: 0.1
 */
void
vmem_connection_set_open_timeout (VmemConnection *self,
                                  guint           seconds)
{
  g_return_if_fail (VMEM_IS_CONNECTION (self));

  if (self->open_timeout == seconds)
    return;

  self->open_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN_TIMEOUT]);
}

/**
 * vmem_connection_get_libvirt_version:
 * @self: a #VmemConnection
 *
 * Gives the #VmemConnection:libvirt-version of the connection.
 *
 * Returns: the version of the libvirt the connection talks to, such as
 *   11003000 for 11.3.0, or 0 before it was first opened
 *
 * Since: 0.1
 */
guint
vmem_connection_get_libvirt_version (VmemConnection *self)
{
  g_return_val_if_fail (VMEM_IS_CONNECTION (self), 0);

  return self->libvirt_version;
}

/**
 * vmem_connection_get_open_timeout:
 * @self: a #VmemConnection
 *
 * Gives the #VmemConnection:open-timeout of the connection.
 *
 * Returns: seconds an open may take, 0 for no bound
 *
 * Since: 0.1
 */
guint
vmem_connection_get_open_timeout (VmemConnection *self)
{
  g_return_val_if_fail (VMEM_IS_CONNECTION (self), 0);

  return self->open_timeout;
}

/**
 * vmem_connection_get_domains:
 * @self: a #VmemConnection
 *
 * Gives the #VmemConnection:domains of the connection: every domain,
 * running and not, kept current by libvirt's events.
 *
 * Returns: (transfer none): a #GListModel of #VmemDomain
 *
 * Since: 0.1
 */
GListModel *
vmem_connection_get_domains (VmemConnection *self)
{
  g_return_val_if_fail (VMEM_IS_CONNECTION (self), NULL);

  return G_LIST_MODEL (self->model);
}

static void
ignore_libvirt_error (void        *user_data,
                      virErrorPtr  error)
{
}

/* Reads the XML of listed domains on a thread of its own, one domain ahead
 * of the caller: each domain is parsed while the next one's XML is on its
 * way from libvirt. A call to libvirt is mostly waiting, for a remote
 * daemon all the more, so the parsing costs the listing next to nothing.
 * One or two domains are read inline, which is cheaper than a thread. */
typedef struct
{
  virDomainPtr *doms;
  int           n;
  GCancellable *cancellable;
  GAsyncQueue  *xmls;        /* libvirt's strings, or NO_XML */
  GThread      *thread;
} XmlReader;

/* What the queue carries for a domain whose XML could not be read. */
static char no_xml[1];
#define NO_XML ((gpointer) no_xml)

static char *
xml_reader_read (XmlReader *reader,
                 int        i)
{
  if (g_cancellable_is_cancelled (reader->cancellable))
    return NULL;

  return virDomainGetXMLDesc (reader->doms[i], 0);
}

static gpointer
xml_reader_thread (gpointer data)
{
  XmlReader *reader = data;

  for (int i = 0; i < reader->n; i++)
    {
      char *xml = xml_reader_read (reader, i);

      g_async_queue_push (reader->xmls, xml != NULL ? xml : NO_XML);
    }

  return NULL;
}

static XmlReader *
xml_reader_start (virDomainPtr *doms,
                  int           n,
                  GCancellable *cancellable)
{
  XmlReader *reader = g_new0 (XmlReader, 1);

  reader->doms = doms;
  reader->n = n;
  reader->cancellable = cancellable;
  if (n > 2)
    {
      reader->xmls = g_async_queue_new ();
      reader->thread = g_thread_new ("vmem-list", xml_reader_thread, reader);
    }

  return reader;
}

/* The XML of domain @i, to free(), or NULL; in order. */
static char *
xml_reader_next (XmlReader *reader,
                 int        i)
{
  char *xml;

  if (reader->thread == NULL)
    return xml_reader_read (reader, i);

  xml = g_async_queue_pop (reader->xmls);
  return xml != NO_XML ? xml : NULL;
}

static void
xml_reader_finish (XmlReader *reader)
{
  if (reader->thread != NULL)
    {
      g_thread_join (reader->thread);
      g_async_queue_unref (reader->xmls);
    }
  g_free (reader);
}

/* The domains and their states, in one call where the driver has it. */
static int
list_with_states (virConnectPtr      vconn,
                  virDomainPtr     **out_doms,
                  VmemDomainState  **out_states)
{
  virDomainStatsRecordPtr *records = NULL;
  virDomainPtr *doms;
  VmemDomainState *states;
  int n;

  n = virConnectGetAllDomainStats (vconn, VIR_DOMAIN_STATS_STATE, &records, 0);
  if (n < 0)
    {
      *out_states = NULL;
      return virConnectListAllDomains (vconn, out_doms, 0);
    }

  doms = g_new (virDomainPtr, n);
  states = g_new (VmemDomainState, n);
  for (int i = 0; i < n; i++)
    {
      int state = -1;

      /* A record without a state: its domain reads it itself. */
      if (virTypedParamsGetInt (records[i]->params, records[i]->nparams,
                                "state.state", &state) != 1)
        state = -1;
      /* The records' handles go with them: a record without one is
       * refused by virDomainStatsRecordListFree(). */
      virDomainRef (records[i]->dom);
      doms[i] = records[i]->dom;
      states[i] = state;
    }
  virDomainStatsRecordListFree (records);

  *out_doms = doms;
  *out_states = states;
  return n;
}

/* Reads every domain of @vconn: a GPtrArray of VmemDomainRead. Any thread. */
static GPtrArray *
read_domains (virConnectPtr   vconn,
              GCancellable   *cancellable,
              GError        **error)
{
  g_autoptr(GPtrArray) reads = NULL;
  g_autofree VmemDomainState *states = NULL;
  virDomainPtr *doms = NULL;
  gboolean libvirt_array;
  int n;

  /* One call for every domain's state rather than one a domain: over a
   * remote connection each is a round trip. */
  n = list_with_states (vconn, &doms, &states);
  if (n < 0)
    {
      _vmem_set_error_from_libvirt (error, "Cannot list the domains");
      return NULL;
    }
  libvirt_array = states == NULL;

  reads = g_ptr_array_new_full (n, _vmem_domain_read_free);
  {
    XmlReader *reader = xml_reader_start (doms, n, cancellable);

    for (int i = 0; i < n; i++)
      {
        g_autoptr(VmemDomainConfig) config = NULL;
        char *xml = xml_reader_next (reader, i);
        int state = states != NULL ? (int) states[i] : -1;

        /* libvirt wrote it: the reader for libvirt's own output. */
        if (xml != NULL && !g_cancellable_is_cancelled (cancellable))
          config = _vmem_domain_config_new_from_libvirt_xml (xml, strlen (xml), NULL);
        free (xml);

        /* A domain undefined while we read is simply not listed: its
         * event comes after. */
        if (config == NULL)
          {
            virDomainFree (doms[i]);
            continue;
          }

        /* A record without a state: the domain is asked. */
        if (state < 0)
          {
            int reason;

            if (virDomainGetState (doms[i], &state, &reason, 0) < 0)
              {
                virDomainFree (doms[i]);
                continue;
              }
          }

        g_ptr_array_add (reads, _vmem_domain_read_new_take (doms[i], g_steal_pointer (&config), state));
      }

    xml_reader_finish (reader);
  }
  /* virConnectListAllDomains()'s array is libvirt's to free. */
  if (libvirt_array)
    free (doms);
  else
    g_free (doms);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return g_steal_pointer (&reads);
}

/* An open under way, shared by the thread that opens and the context of
 * the caller, which may give up on it first (timeout or cancellable):
 * then the thread, when libvirt lets it go, drops what it made. */
typedef struct
{
  gatomicrefcount  ref_count;

  /* Set before the thread starts. */
  char            *uri;
  int              keepalive_interval;
  guint            keepalive_count;
  guint            timeout;
  GCancellable    *cancellable;
  GMainContext    *task_context;

  /* The thread's, then the connection's once it adopts them. */
  EventLink       *link;
  virConnectPtr    vconn;
  gulong           libvirt_version;
  int              ids[5];
  guint            n_ids;
  GPtrArray       *reads;
  GError          *error;

  GMutex           lock;
  gboolean         finished;   /* the thread is done */
  gboolean         abandoned;  /* the caller is gone: the thread cleans up */

  /* The task's context only. */
  GTask           *task;       /* until it returns */
  GSource         *timeout_source;
  GSource         *cancel_source;
} Opening;

static Opening *
opening_new (VmemConnection *self,
             GMainContext   *context,
             GCancellable   *cancellable)
{
  Opening *opening = g_new0 (Opening, 1);

  g_atomic_ref_count_init (&opening->ref_count);
  opening->uri = g_strdup (self->uri);
  opening->keepalive_interval = self->keepalive_interval;
  opening->keepalive_count = self->keepalive_count;
  opening->timeout = self->open_timeout;
  opening->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  opening->link = event_link_new (self, context);
  g_mutex_init (&opening->lock);
  return opening;
}

static Opening *
opening_ref (Opening *opening)
{
  g_atomic_ref_count_inc (&opening->ref_count);
  return opening;
}

/* Drops what the open made and nobody took. */
static void
opening_drop (Opening *opening)
{
  if (opening->vconn != NULL)
    close_vir_connect (g_steal_pointer (&opening->vconn), opening->ids, opening->n_ids);
  g_clear_pointer (&opening->reads, g_ptr_array_unref);
}

static void
opening_unref (gpointer data)
{
  Opening *opening = data;

  if (!g_atomic_ref_count_dec (&opening->ref_count))
    return;

  g_assert (opening->task == NULL);
  opening_drop (opening);
  g_clear_pointer (&opening->link, event_link_unref);
  g_clear_error (&opening->error);
  g_clear_object (&opening->cancellable);
  g_clear_pointer (&opening->task_context, g_main_context_unref);
  g_mutex_clear (&opening->lock);
  g_free (opening->uri);
  g_free (opening);
}

/* Connects, registers for events, then reads every domain. Any thread. */
static gboolean
opening_run (Opening  *opening,
             GError  **error)
{
  _vmem_event_loop_ensure ();

  opening->vconn = virConnectOpen (opening->uri);
  if (opening->vconn == NULL)
    {
      _vmem_set_open_error_from_libvirt (error, opening->uri);
      return FALSE;
    }

  /* Errors reach the application as GErrors; libvirt's default handler
   * would also print each on stderr. The connection's own handler is the
   * library's to set; the process-wide one is the application's. */
  virConnSetErrorFunc (opening->vconn, NULL, ignore_libvirt_error);

  /* Notice a daemon that went away or froze even when nothing is being
   * sent. Drivers without keepalive (test:///, local drivers) decline. */
  if (opening->keepalive_interval > 0 &&
      virConnectSetKeepAlive (opening->vconn, opening->keepalive_interval,
                              opening->keepalive_count) < 0)
    g_debug ("%s: no keepalive: %s", opening->uri, virGetLastErrorMessage ());

  /* The daemon's libvirt, whose rules the domains follow (which devices
   * take memory slots); the client's when it cannot say. */
  if (virConnectGetLibVersion (opening->vconn, &opening->libvirt_version) < 0 &&
      virGetVersion (&opening->libvirt_version, NULL, NULL) < 0)
    opening->libvirt_version = 0;

  opening->n_ids = register_callbacks (opening->vconn, opening->uri, opening->link, opening->ids);
  opening->reads = read_domains (opening->vconn, opening->cancellable, error);
  return opening->reads != NULL;
}

static void
opening_stop_waiting (Opening *opening)
{
  if (opening->timeout_source != NULL)
    g_source_destroy (opening->timeout_source);
  g_clear_pointer (&opening->timeout_source, g_source_unref);
  if (opening->cancel_source != NULL)
    g_source_destroy (opening->cancel_source);
  g_clear_pointer (&opening->cancel_source, g_source_unref);
}

/* The thread is done: the task returns what it made. */
static gboolean
opening_complete (gpointer data)
{
  Opening *opening = data;
  g_autoptr(GTask) task = g_steal_pointer (&opening->task);

  /* The caller gave up meanwhile, and was told. */
  if (task == NULL)
    return G_SOURCE_REMOVE;

  opening_stop_waiting (opening);
  if (opening->error != NULL)
    {
      event_link_cut (opening->link);
      g_task_return_error (task, g_steal_pointer (&opening->error));
    }
  else
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/* The caller stops waiting with @error, unless the thread is done and its
 * result on its way. */
static void
opening_give_up (Opening *opening,
                 GError  *error)
{
  g_autoptr(GTask) task = NULL;
  gboolean finished;

  g_mutex_lock (&opening->lock);
  finished = opening->finished;
  opening->abandoned = !finished;
  g_mutex_unlock (&opening->lock);

  if (finished || opening->task == NULL)
    {
      g_error_free (error);
      return;
    }

  /* The thread drops the link with what it made. */
  event_link_cut (opening->link);
  task = g_steal_pointer (&opening->task);
  opening_stop_waiting (opening);
  g_task_return_error (task, error);
}

static gboolean
opening_timed_out (gpointer data)
{
  Opening *opening = data;

  opening_give_up (opening, g_error_new (VMEM_ERROR, VMEM_ERROR_TIMED_OUT,
                                         "Cannot open %s: no answer in %u s",
                                         opening->uri != NULL ? opening->uri : "libvirt's default URI",
                                         opening->timeout));
  return G_SOURCE_REMOVE;
}

static gboolean
opening_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  Opening *opening = data;
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  opening_give_up (opening, error);
  return G_SOURCE_REMOVE;
}

/* libvirt's calls cannot be interrupted: the thread runs until libvirt
 * lets it go, however long after the caller gave up. It holds the
 * opening, never the connection or the task. */
static gpointer
opening_thread (gpointer data)
{
  Opening *opening = data;
  GError *error = NULL;
  gboolean abandoned;

  if (!opening_run (opening, &error))
    opening->error = error;

  g_mutex_lock (&opening->lock);
  opening->finished = TRUE;
  abandoned = opening->abandoned;
  g_mutex_unlock (&opening->lock);

  /* Given up: nobody takes what it made, and the caller's context should
   * not pay for closing it. */
  if (abandoned)
    opening_drop (opening);
  else
    {
      GSource *idle = g_idle_source_new ();

      g_source_set_priority (idle, G_PRIORITY_DEFAULT);
      g_source_set_callback (idle, opening_complete, opening_ref (opening), opening_unref);
      g_source_set_static_name (idle, "[vmem] connection opened");
      g_source_attach (idle, opening->task_context);
      g_source_unref (idle);
    }

  opening_unref (opening);
  return NULL;
}
/* The connection takes what the open made, on its context. */
static void
adopt (VmemConnection *self,
       Opening        *opening)
{
  EventLink *link;
  gboolean was_open, version_changed;

  /* Reopening an open connection: the old link goes, its domains stay. */
  was_open = teardown (self);

  link = self->link = g_steal_pointer (&opening->link);
  memcpy (self->callback_ids, opening->ids, sizeof opening->ids);
  self->n_callbacks = opening->n_ids;
  g_mutex_lock (&self->lock);
  self->vconn = g_steal_pointer (&opening->vconn);
  g_mutex_unlock (&self->lock);
  /* Before the domains are made, which follow its rules. */
  version_changed = self->libvirt_version != opening->libvirt_version;
  self->libvirt_version = opening->libvirt_version;

  list_replace (self, opening->reads);
  if (version_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIBVIRT_VERSION]);
  if (!was_open)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);

  /* The events that came while the domains were read, in order. */
  link->adopted = TRUE;
  while (self->link == link && link->early.length > 0)
    {
      Message *message = g_queue_pop_head (&link->early);

      dispatch (self, message);
      message_free (message);
    }
}

/* Starts an open whose events go to @context, and whose task completes on
 * the thread-default context. */
static void
open_start (VmemConnection      *self,
            GMainContext        *context,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Opening *opening;
  GThread *thread;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmem_connection_open_async);
  g_task_set_check_cancellable (task, TRUE);
  if (g_task_return_error_if_cancelled (task))
    return;

  opening = opening_new (self, context, cancellable);
  opening->task_context = g_main_context_ref (g_task_get_context (task));
  g_task_set_task_data (task, opening, opening_unref);

  thread = g_thread_try_new ("vmem-open", opening_thread, opening_ref (opening), &error);
  if (thread == NULL)
    {
      opening_unref (opening);
      g_task_return_new_error (task, VMEM_ERROR, VMEM_ERROR_FAILED, "Cannot open %s: %s",
                               self->uri != NULL ? self->uri : "libvirt's default URI",
                               error->message);
      return;
    }
  g_thread_unref (thread);

  /* Until the thread is done, the task waits for it, for the timeout and
   * for the cancellable, whichever comes first. */
  opening->task = g_object_ref (task);
  if (opening->timeout > 0)
    {
      opening->timeout_source = g_timeout_source_new (opening->timeout * 1000);
      g_source_set_callback (opening->timeout_source, opening_timed_out, opening, NULL);
      g_source_set_static_name (opening->timeout_source, "[vmem] open timeout");
      g_source_attach (opening->timeout_source, opening->task_context);
    }
  if (cancellable != NULL)
    {
      opening->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (opening->cancel_source, G_SOURCE_FUNC (opening_cancelled), opening, NULL);
      g_source_set_static_name (opening->cancel_source, "[vmem] open cancelled");
      g_source_attach (opening->cancel_source, opening->task_context);
    }
}

static void
open_sync_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/**
 * vmem_connection_open:
 * @self: a #VmemConnection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError, or %NULL
 *
 * Opens the connection and reads its domains into
 * #VmemConnection:domains, blocking until libvirt answers, the
 * #VmemConnection:open-timeout passed or @cancellable was cancelled.
 * Signals of the connection and its domains are emitted on the
 * thread-default #GMainContext of the calling thread. Opening a
 * connection that is open reopens it.
 *
 * The errors tell why a daemon could not be reached:
 * %VMEM_ERROR_UNREACHABLE, %VMEM_ERROR_TIMED_OUT,
 * %VMEM_ERROR_CERTIFICATE, %VMEM_ERROR_HOST_KEY,
 * %VMEM_ERROR_AUTH_FAILED, or %VMEM_ERROR_LIBVIRT for what libvirt
 * says otherwise.
 *
 * Returns: %TRUE if the connection is open
 *
 * Since: 0.1
 */
gboolean
vmem_connection_open (VmemConnection  *self,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GMainContext) wait_context = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The open of open_async(), waited for on a context of its own, so
   * that the timeout and the cancellable work here too. */
  context = g_main_context_ref_thread_default ();
  wait_context = g_main_context_new ();
  g_main_context_push_thread_default (wait_context);
  open_start (self, context, cancellable, open_sync_done, &result);
  while (result == NULL)
    g_main_context_iteration (wait_context, TRUE);
  g_main_context_pop_thread_default (wait_context);

  return vmem_connection_open_finish (self, result, error);
}

/**
 * vmem_connection_open_async:
 * @self: a #VmemConnection
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the connection is open or failed
 * @user_data: data for @callback
 *
 * Opens the connection and reads its domains without blocking; see
 * vmem_connection_open(). Nothing of the open runs on the calling
 * thread's context but its end: libvirt's connection, its event
 * registrations and the reading of the domains are a worker's. Signals
 * are emitted on the thread-default #GMainContext of the calling thread.
 *
 * The open ends at the #VmemConnection:open-timeout, or when @cancellable
 * is cancelled, even while libvirt still waits for the daemon: libvirt's
 * calls cannot be interrupted, so the worker drops what it made when
 * libvirt lets it go.
 *
 * Since: 0.1
 */
void
vmem_connection_open_async (VmemConnection      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GMainContext) context = NULL;

  g_return_if_fail (VMEM_IS_CONNECTION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  context = g_main_context_ref_thread_default ();
  open_start (self, context, cancellable, callback, user_data);
}

/**
 * vmem_connection_open_finish:
 * @self: a #VmemConnection
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes vmem_connection_open_async().
 *
 * Returns: %TRUE if the connection is open
 *
 * Since: 0.1
 */
gboolean
vmem_connection_open_finish (VmemConnection  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (VMEM_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmem_connection_open_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  adopt (self, g_task_get_task_data (G_TASK (result)));
  return TRUE;
}

/**
 * vmem_connection_close:
 * @self: a #VmemConnection
 *
 * Closes the connection, emptying #VmemConnection:domains and emitting
 * #VmemConnection::closed with %VMEM_CLOSE_REASON_CLIENT. Nothing happens
 * if it is not open.
 *
 * Nothing waits for the daemon: the model empties and the signal comes at
 * once, and the libvirt connection closes on a thread of its own, so that
 * closing a frozen or distant host does not block the caller.
 *
 * Since: 0.1
 */
void
vmem_connection_close (VmemConnection *self)
{
  g_return_if_fail (VMEM_IS_CONNECTION (self));

  handle_closed (self, VMEM_CLOSE_REASON_CLIENT);
}

static virConnectPtr
dup_vir_connect (VmemConnection  *self,
                 GError         **error)
{
  virConnectPtr vconn;

  g_mutex_lock (&self->lock);
  vconn = self->vconn;
  if (vconn != NULL)
    virConnectRef (vconn);
  g_mutex_unlock (&self->lock);

  if (vconn == NULL)
    g_set_error (error, VMEM_ERROR, VMEM_ERROR_CLOSED,
                 "The connection to %s is not open",
                 self->uri != NULL ? self->uri : "libvirt's default URI");
  return vconn;
}

/**
 * vmem_connection_find_domain:
 * @self: a #VmemConnection
 * @name_or_uuid: the name or the UUID of a domain
 *
 * Finds a domain of #VmemConnection:domains, without asking libvirt.
 *
 * Returns: (transfer none) (nullable): the domain, or %NULL
 *
 * Since: 0.1
 */
VmemDomain *
vmem_connection_find_domain (VmemConnection *self,
                             const char     *name_or_uuid)
{
  guint n;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (name_or_uuid != NULL, NULL);

  if (g_uuid_string_is_valid (name_or_uuid))
    {
      g_autoptr(VmemDomain) domain = dup_known_domain (self, name_or_uuid);

      /* The model holds the domains it has. */
      if (domain != NULL && is_listed (self, domain, NULL))
        return domain;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemDomain) domain = g_list_model_get_item (G_LIST_MODEL (self->model), i);

      if (g_strcmp0 (vmem_domain_get_name (domain), name_or_uuid) == 0)
        return domain;
    }

  return NULL;
}

/* Reads a domain the model does not have yet. Any thread. */
static VmemDomainRead *
lookup (VmemConnection  *self,
        const char      *name_or_uuid,
        GError         **error)
{
  virConnectPtr vconn = dup_vir_connect (self, error);
  virDomainPtr dom;

  if (vconn == NULL)
    return NULL;

  if (g_uuid_string_is_valid (name_or_uuid))
    {
      dom = virDomainLookupByUUIDString (vconn, name_or_uuid);
      /* A domain may also be named like a UUID. */
      if (dom == NULL)
        dom = virDomainLookupByName (vconn, name_or_uuid);
    }
  else
    dom = virDomainLookupByName (vconn, name_or_uuid);

  if (dom == NULL)
    _vmem_set_error_from_libvirt (error, "No domain '%s'", name_or_uuid);
  virConnectClose (vconn);

  if (dom == NULL)
    return NULL;

  return _vmem_domain_read_new (dom, error);
}

/* A domain read before its event came: it joins the model now, and its
 * event finds it there. */
static VmemDomain *
domain_from_lookup (VmemConnection *self,
                    VmemDomainRead *read)
{
  VmemDomain *domain = domain_for_read (self, read);

  list_add (self, domain);
  return domain;
}

/**
 * vmem_connection_lookup_domain:
 * @self: a #VmemConnection
 * @name_or_uuid: the name or the UUID of a domain
 * @error: return location for a #GError, or %NULL
 *
 * Finds a domain: the one of #VmemConnection:domains, or when libvirt's
 * event for it has not come yet, the domain read from libvirt, which then
 * joins the model.
 *
 * Returns: (transfer full): the domain, or %NULL with %VMEM_ERROR_NOT_FOUND
 *   if there is no such domain
 *
 * Since: 0.1
 */
VmemDomain *
vmem_connection_lookup_domain (VmemConnection  *self,
                               const char      *name_or_uuid,
                               GError         **error)
{
  VmemDomainRead *read;
  VmemDomain *domain;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (name_or_uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!vmem_connection_is_open (self))
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_CLOSED, "The connection to %s is not open",
                   self->uri != NULL ? self->uri : "libvirt's default URI");
      return NULL;
    }

  domain = vmem_connection_find_domain (self, name_or_uuid);
  if (domain != NULL)
    return g_object_ref (domain);

  read = lookup (self, name_or_uuid, error);
  if (read == NULL)
    return NULL;

  domain = domain_from_lookup (self, read);
  _vmem_domain_read_free (read);
  return domain;
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  VmemDomainRead *read = lookup (source_object, task_data, &error);

  if (read == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, read, _vmem_domain_read_free);
}

/**
 * vmem_connection_lookup_domain_async:
 * @self: a #VmemConnection
 * @name_or_uuid: the name or the UUID of a domain
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the domain is found or not
 * @user_data: data for @callback
 *
 * Finds a domain without blocking; see vmem_connection_lookup_domain().
 *
 * Since: 0.1
 */
void
vmem_connection_lookup_domain_async (VmemConnection      *self,
                                     const char          *name_or_uuid,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  VmemDomain *domain;

  g_return_if_fail (VMEM_IS_CONNECTION (self));
  g_return_if_fail (name_or_uuid != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmem_connection_lookup_domain_async);
  g_task_set_check_cancellable (task, TRUE);

  /* The model has it: no thread, no round trip. */
  domain = vmem_connection_is_open (self) ? vmem_connection_find_domain (self, name_or_uuid) : NULL;
  if (domain != NULL)
    {
      g_task_set_task_data (task, g_object_ref (domain), g_object_unref);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  g_task_set_task_data (task, g_strdup (name_or_uuid), g_free);
  _vmem_task_run_in_thread (task, lookup_thread);
}

/**
 * vmem_connection_lookup_domain_finish:
 * @self: a #VmemConnection
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes vmem_connection_lookup_domain_async().
 *
 * Returns: (transfer full): the domain, or %NULL with an error
 *
 * Since: 0.1
 */
VmemDomain *
vmem_connection_lookup_domain_finish (VmemConnection  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  VmemDomainRead *read;
  VmemDomain *domain;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmem_connection_lookup_domain_async, NULL);

  read = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Found in the model. */
  if (read == NULL)
    return g_object_ref (g_task_get_task_data (G_TASK (result)));

  domain = domain_from_lookup (self, read);
  _vmem_domain_read_free (read);
  return domain;
}
