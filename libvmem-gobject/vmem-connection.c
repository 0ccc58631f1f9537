/* vmem-connection.c: a connection to libvirt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-connection.h"

#include <string.h>

#include "vmem-enum-types.h"
#include "vmem-domain-config-private.h"
#include "vmem-error.h"
#include "vmem-libvirt-private.h"

/**
 * SECTION:vmem-connection
 * @Title: VmemConnection
 * @Short_description: A connection to a libvirt daemon or driver
 *
 * #VmemConnection opens any libvirt URI (`qemu:///system`,
 * `qemu+ssh://host/system`, `qemu+tls://host/system`, `test:///default`,
 * or %NULL for libvirt's default) and gives its domains as #VmemDomain
 * objects, the same object for the same domain while the application
 * holds it.
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
 * which also reattaches the domains the application still holds.
 */

/**
 * VmemConnection:
 *
 * A connection to libvirt.
 *
 * Since: 0.1
 */

/* What libvirt's callbacks hold: they may outlive the connection object,
 * and run on whatever thread runs libvirt's event loop. */
typedef struct
{
  gatomicrefcount  ref_count;
  GWeakRef         connection;
  GMainContext    *context;
} EventLink;

struct _VmemConnection
{
  GObject parent_instance;

  char          *uri;

  GMutex         lock;         /* guards vconn and domains */
  virConnectPtr  vconn;
  GHashTable    *domains;      /* UUID string -> GWeakRef * to VmemDomain */

  EventLink     *link;
  int            callback_ids[5];
  guint          n_callbacks;
};

G_DEFINE_FINAL_TYPE (VmemConnection, vmem_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_CONNECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static EventLink *
event_link_new (VmemConnection *connection,
                GMainContext   *context)
{
  EventLink *link = g_new0 (EventLink, 1);

  g_atomic_ref_count_init (&link->ref_count);
  g_weak_ref_init (&link->connection, connection);
  link->context = g_main_context_ref (context);
  return link;
}

static gpointer
event_link_ref (EventLink *link)
{
  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

static void
event_link_unref (gpointer data)
{
  EventLink *link = data;

  if (g_atomic_ref_count_dec (&link->ref_count))
    {
      g_weak_ref_clear (&link->connection);
      g_main_context_unref (link->context);
      g_free (link);
    }
}

/* An event, carried from libvirt's thread to the connection's context. */

typedef enum {
  MESSAGE_CLOSED,
  MESSAGE_LIFECYCLE,
  MESSAGE_SIZE_CHANGE,
  MESSAGE_DEVICE,
} MessageKind;

typedef struct
{
  EventLink   *link;
  MessageKind  kind;
  char         uuid[VIR_UUID_STRING_BUFLEN];
  char        *alias;
  guint64      size;
  int          event;
  int          detail;
} Message;

static void
message_free (gpointer data)
{
  Message *message = data;

  event_link_unref (message->link);
  g_free (message->alias);
  g_free (message);
}

static void handle_closed (VmemConnection  *self,
                           VmemCloseReason  reason);

static gboolean
message_dispatch (gpointer data)
{
  Message *message = data;
  g_autoptr(VmemConnection) self = g_weak_ref_get (&message->link->connection);
  g_autoptr(VmemDomain) domain = NULL;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  /* Events of a link that was torn down are stale. */
  if (self->link != message->link)
    return G_SOURCE_REMOVE;

  if (message->kind == MESSAGE_CLOSED)
    {
      handle_closed (self, message->event);
      return G_SOURCE_REMOVE;
    }

  g_mutex_lock (&self->lock);
  {
    GWeakRef *ref = g_hash_table_lookup (self->domains, message->uuid);

    if (ref != NULL)
      domain = g_weak_ref_get (ref);
  }
  g_mutex_unlock (&self->lock);

  /* Nobody holds an object for that domain: nobody is listening. */
  if (domain == NULL)
    return G_SOURCE_REMOVE;

  switch (message->kind)
    {
    case MESSAGE_LIFECYCLE:
      _vmem_domain_handle_lifecycle (domain, message->event, message->detail);
      break;
    case MESSAGE_SIZE_CHANGE:
      _vmem_domain_handle_size_change (domain, message->alias, message->size);
      break;
    case MESSAGE_DEVICE:
      _vmem_domain_handle_device (domain, message->event, message->alias);
      break;
    case MESSAGE_CLOSED:
    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
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

  message->link = event_link_ref (link);
  message->kind = kind;
  if (dom != NULL)
    virDomainGetUUIDString (dom, message->uuid);
  message->alias = g_strdup (alias);
  message->size = size;
  message->event = event;
  message->detail = detail;

  /* Always from the context's next iteration, never inline: libvirt may
   * hold its locks while calling us (the close callback does), and the
   * handlers call back into libvirt. */
  {
    GSource *source = g_idle_source_new ();

    g_source_set_priority (source, G_PRIORITY_DEFAULT);
    g_source_set_callback (source, message_dispatch, message, message_free);
    g_source_set_static_name (source, "[vmem] libvirt event");
    g_source_attach (source, link->context);
    g_source_unref (source);
  }
}

static int
on_lifecycle (virConnectPtr  vconn,
              virDomainPtr   dom,
              int            event,
              int            detail,
              void          *opaque)
{
  message_post (opaque, MESSAGE_LIFECYCLE, dom, NULL, 0, event, detail);
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

static void
register_callbacks (VmemConnection *self)
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

  G_STATIC_ASSERT (G_N_ELEMENTS (events) == G_N_ELEMENTS (((VmemConnection *) NULL)->callback_ids));

  self->n_callbacks = 0;
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      int id = virConnectDomainEventRegisterAny (self->vconn, NULL, events[i].id,
                                                 events[i].callback,
                                                 event_link_ref (self->link),
                                                 event_link_unref);

      /* A driver without an event is still usable: its other events and
       * the methods work, and nothing waits for what cannot come. */
      if (id < 0)
        {
          g_debug ("%s: no event %d: %s", self->uri, events[i].id, virGetLastErrorMessage ());
          event_link_unref (self->link);
          continue;
        }
      self->callback_ids[self->n_callbacks++] = id;
    }

  /* No reference for the close callback: drivers without one accept it
   * and never call the free function. teardown() unregisters it before
   * the link goes. */
  if (virConnectRegisterCloseCallback (self->vconn, on_close, self->link, NULL) < 0)
    g_debug ("%s: no close callback: %s", self->uri, virGetLastErrorMessage ());

  /* Notice a daemon that went away even when nothing is being sent:
   * a probe every 5 s, closed after 3 unanswered. Drivers without
   * keepalive (test:///, local drivers) just decline. */
  if (virConnectSetKeepAlive (self->vconn, 5, 3) < 0)
    g_debug ("%s: no keepalive: %s", self->uri, virGetLastErrorMessage ());
}

/* Drops the libvirt connection: the callbacks first, so none comes after. */
static gboolean
teardown (VmemConnection *self)
{
  virConnectPtr vconn;

  g_mutex_lock (&self->lock);
  vconn = g_steal_pointer (&self->vconn);
  g_mutex_unlock (&self->lock);

  if (vconn == NULL)
    return FALSE;

  for (guint i = 0; i < self->n_callbacks; i++)
    virConnectDomainEventDeregisterAny (vconn, self->callback_ids[i]);
  self->n_callbacks = 0;
  virConnectUnregisterCloseCallback (vconn, on_close);
  virConnectClose (vconn);

  g_clear_pointer (&self->link, event_link_unref);
  return TRUE;
}

static void
forget_domains (VmemConnection *self,
                GPtrArray      *out)
{
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->domains);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      VmemDomain *domain = g_weak_ref_get (value);

      if (domain != NULL)
        g_ptr_array_add (out, domain);
      else
        g_hash_table_iter_remove (&iter);
    }
  g_mutex_unlock (&self->lock);
}

static void
handle_closed (VmemConnection  *self,
               VmemCloseReason  reason)
{
  g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func (g_object_unref);

  if (!teardown (self))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);

  forget_domains (self, domains);
  for (guint i = 0; i < domains->len; i++)
    _vmem_domain_handle_closed (domains->pdata[i]);

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

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VmemConnection::closed:
   * @self: the connection
   * @reason: why it closed
   *
   * Emitted when the connection closes: the daemon went away or stopped
   * answering, or the application called vmem_connection_close().
   *
   * Since: 0.1
   */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, VMEM_TYPE_CLOSE_REASON);
}

static void
vmem_connection_init (VmemConnection *self)
{
  g_mutex_init (&self->lock);
  self->domains = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, weak_ref_free);
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

static void
ignore_libvirt_error (void        *user_data,
                      virErrorPtr  error)
{
}

static virConnectPtr
open_vir_connect (const char    *uri,
                  GError       **error)
{
  virConnectPtr vconn;

  _vmem_event_loop_ensure ();

  vconn = virConnectOpen (uri);
  if (vconn == NULL)
    {
      _vmem_set_error_from_libvirt (error, "Cannot open %s", uri != NULL ? uri : "libvirt's default URI");
      return NULL;
    }

  /* Errors reach the application as GErrors; libvirt's default handler
   * would also print each on stderr. The connection's own handler is the
   * library's to set; the process-wide one is the application's. */
  virConnSetErrorFunc (vconn, NULL, ignore_libvirt_error);
  return vconn;
}

/* Takes the new libvirt connection, on the context it will report to. */
static void
adopt_vir_connect (VmemConnection *self,
                   virConnectPtr   vconn,
                   GMainContext   *context)
{
  g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func (g_object_unref);

  teardown (self);

  self->link = event_link_new (self, context);
  g_mutex_lock (&self->lock);
  self->vconn = vconn;
  g_mutex_unlock (&self->lock);
  register_callbacks (self);

  /* Domains the application held across a closed link come back. */
  forget_domains (self, domains);
  for (guint i = 0; i < domains->len; i++)
    {
      VmemDomain *domain = domains->pdata[i];
      virDomainPtr dom = virDomainLookupByUUIDString (vconn, vmem_domain_get_uuid (domain));

      if (dom != NULL)
        {
          _vmem_domain_set_vir_domain (domain, dom);
          virDomainFree (dom);
          _vmem_domain_queue_refresh (domain);
        }
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

/**
 * vmem_connection_open:
 * @self: a #VmemConnection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError, or %NULL
 *
 * Opens the connection, blocking until libvirt answers. Signals of the
 * connection and its domains are emitted on the thread-default
 * #GMainContext of the calling thread. Opening a connection that is open
 * reopens it.
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
  virConnectPtr vconn;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  vconn = open_vir_connect (self->uri, error);
  if (vconn == NULL)
    return FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      virConnectClose (vconn);
      return FALSE;
    }

  context = g_main_context_ref_thread_default ();
  adopt_vir_connect (self, vconn, context);
  return TRUE;
}

static void
vir_connect_close (gpointer vconn)
{
  virConnectClose (vconn);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  VmemConnection *self = source_object;
  GError *error = NULL;
  virConnectPtr vconn = open_vir_connect (self->uri, &error);

  if (vconn == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, vconn, vir_connect_close);
}

/**
 * vmem_connection_open_async:
 * @self: a #VmemConnection
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the connection is open or failed
 * @user_data: data for @callback
 *
 * Opens the connection without blocking; see vmem_connection_open().
 * Signals are emitted on the thread-default #GMainContext of the calling
 * thread.
 *
 * Since: 0.1
 */
void
vmem_connection_open_async (VmemConnection      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VMEM_IS_CONNECTION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmem_connection_open_async);
  g_task_set_check_cancellable (task, TRUE);
  _vmem_task_run_in_thread (task, open_thread);
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
  virConnectPtr vconn;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmem_connection_open_async, FALSE);

  vconn = g_task_propagate_pointer (G_TASK (result), error);
  if (vconn == NULL)
    return FALSE;

  adopt_vir_connect (self, vconn, g_task_get_context (G_TASK (result)));
  return TRUE;
}

/**
 * vmem_connection_close:
 * @self: a #VmemConnection
 *
 * Closes the connection, emitting #VmemConnection::closed with
 * %VMEM_CLOSE_REASON_CLIENT. Nothing happens if it is not open.
 *
 * Since: 0.1
 */
void
vmem_connection_close (VmemConnection *self)
{
  g_return_if_fail (VMEM_IS_CONNECTION (self));

  handle_closed (self, VMEM_CLOSE_REASON_CLIENT);
}

virConnectPtr
_vmem_connection_dup_vir_connect (VmemConnection  *self,
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

/*
 * _vmem_connection_get_domain:
 * @dom: (transfer full): the libvirt domain
 * @uuid: (nullable): its UUID, when the caller has it
 *
 * The one object of the connection for @dom, made when nobody holds one.
 */
VmemDomain *
_vmem_connection_get_domain (VmemConnection *self,
                             virDomainPtr    dom,
                             const char     *uuid)
{
  char buf[VIR_UUID_STRING_BUFLEN];
  VmemDomain *domain = NULL;
  GWeakRef *ref;

  /* libvirt formats a UUID with printf: with thousands of domains, the
   * one read from their XML saves that. */
  if (uuid == NULL)
    {
      virDomainGetUUIDString (dom, buf);
      uuid = buf;
    }

  g_mutex_lock (&self->lock);
  ref = g_hash_table_lookup (self->domains, uuid);
  if (ref != NULL)
    domain = g_weak_ref_get (ref);
  if (domain == NULL)
    {
      domain = _vmem_domain_new (self, g_steal_pointer (&dom), uuid);
      ref = g_new0 (GWeakRef, 1);
      g_weak_ref_init (ref, domain);
      g_hash_table_replace (self->domains, g_strdup (uuid), ref);
    }
  g_mutex_unlock (&self->lock);

  if (dom != NULL)
    virDomainFree (dom);
  return domain;
}

/* A domain with what it looked like, read off the caller's context. */
typedef struct
{
  virDomainPtr      dom;
  VmemDomainConfig *config;
  VmemDomainState   state;
} DomainSnapshot;

static void
domain_snapshot_free (gpointer data)
{
  DomainSnapshot *snapshot = data;

  if (snapshot->dom != NULL)
    virDomainFree (snapshot->dom);
  g_clear_object (&snapshot->config);
  g_free (snapshot);
}

static DomainSnapshot *
domain_snapshot_take (virDomainPtr   dom,
                      GError       **error)
{
  DomainSnapshot *snapshot = g_new0 (DomainSnapshot, 1);

  snapshot->dom = dom;
  snapshot->config = _vmem_domain_read (dom, &snapshot->state, error);
  if (snapshot->config == NULL)
    {
      domain_snapshot_free (snapshot);
      return NULL;
    }

  return snapshot;
}

static VmemDomain *
domain_from_snapshot (VmemConnection *self,
                      DomainSnapshot *snapshot)
{
  VmemDomain *domain = _vmem_connection_get_domain (self, g_steal_pointer (&snapshot->dom),
                                                    vmem_domain_config_get_uuid (snapshot->config));

  _vmem_domain_apply_config (domain, snapshot->config, snapshot->state);
  return domain;
}

static DomainSnapshot *
lookup (VmemConnection  *self,
        const char      *name_or_uuid,
        GError         **error)
{
  virConnectPtr vconn = _vmem_connection_dup_vir_connect (self, error);
  virDomainPtr dom;
  DomainSnapshot *snapshot;

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

  snapshot = domain_snapshot_take (dom, error);
  return snapshot;
}

/**
 * vmem_connection_lookup_domain:
 * @self: a #VmemConnection
 * @name_or_uuid: the name or the UUID of a domain
 * @error: return location for a #GError, or %NULL
 *
 * Finds a domain, reading its memory devices. While the application holds
 * the returned object, the connection returns the same one for the same
 * domain, and keeps it current.
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
  DomainSnapshot *snapshot;
  VmemDomain *domain;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (name_or_uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  snapshot = lookup (self, name_or_uuid, error);
  if (snapshot == NULL)
    return NULL;

  domain = domain_from_snapshot (self, snapshot);
  domain_snapshot_free (snapshot);
  return domain;
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  DomainSnapshot *snapshot = lookup (source_object, task_data, &error);

  if (snapshot == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, snapshot, domain_snapshot_free);
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

  g_return_if_fail (VMEM_IS_CONNECTION (self));
  g_return_if_fail (name_or_uuid != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmem_connection_lookup_domain_async);
  g_task_set_check_cancellable (task, TRUE);
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
  DomainSnapshot *snapshot;
  VmemDomain *domain;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmem_connection_lookup_domain_async, NULL);

  snapshot = g_task_propagate_pointer (G_TASK (result), error);
  if (snapshot == NULL)
    return NULL;

  domain = domain_from_snapshot (self, snapshot);
  domain_snapshot_free (snapshot);
  return domain;
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
      /* The records' handles go with them. */
      virDomainRef (records[i]->dom);
      doms[i] = records[i]->dom;
      states[i] = state;
    }
  virDomainStatsRecordListFree (records);

  *out_doms = doms;
  *out_states = states;
  return n;
}

static GPtrArray *
list (VmemConnection  *self,
      GCancellable    *cancellable,
      GError         **error)
{
  virConnectPtr vconn = _vmem_connection_dup_vir_connect (self, error);
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autofree VmemDomainState *states = NULL;
  virDomainPtr *doms = NULL;
  gboolean libvirt_array;
  int n;

  if (vconn == NULL)
    return NULL;

  /* One call for every domain's state rather than one a domain: over a
   * remote connection each is a round trip. */
  n = list_with_states (vconn, &doms, &states);
  if (n < 0)
    {
      _vmem_set_error_from_libvirt (error, "Cannot list the domains");
      virConnectClose (vconn);
      return NULL;
    }
  virConnectClose (vconn);
  libvirt_array = states == NULL;

  snapshots = g_ptr_array_new_full (n, domain_snapshot_free);
  {
    XmlReader *reader = xml_reader_start (doms, n, cancellable);

    for (int i = 0; i < n; i++)
      {
        g_autoptr(VmemDomainConfig) config = NULL;
        DomainSnapshot *snapshot;
        char *xml = xml_reader_next (reader, i);
        int state = states != NULL ? (int) states[i] : -1;

        /* libvirt wrote it: the reader for libvirt's own output. */
        if (xml != NULL && !g_cancellable_is_cancelled (cancellable))
          config = _vmem_domain_config_new_from_libvirt_xml (xml, strlen (xml), NULL);
        free (xml);

        /* A domain undefined while we read is simply not listed. */
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

        snapshot = g_new0 (DomainSnapshot, 1);
        snapshot->dom = doms[i];
        snapshot->state = state;
        snapshot->config = g_steal_pointer (&config);
        g_ptr_array_add (snapshots, snapshot);
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

  return g_steal_pointer (&snapshots);
}

static GListModel *
model_from_snapshots (VmemConnection *self,
                      GPtrArray      *snapshots)
{
  GListStore *store = g_list_store_new (VMEM_TYPE_DOMAIN);
  g_autoptr(GPtrArray) domains = g_ptr_array_new_full (snapshots->len, g_object_unref);

  for (guint i = 0; i < snapshots->len; i++)
    g_ptr_array_add (domains, domain_from_snapshot (self, snapshots->pdata[i]));

  /* One splice: each append is a change signal and a tree insertion. */
  g_list_store_splice (store, 0, 0, domains->pdata, domains->len);
  return G_LIST_MODEL (store);
}

/**
 * vmem_connection_list_domains:
 * @self: a #VmemConnection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError, or %NULL
 *
 * Lists the connection's domains, running and not, with their memory
 * devices read.
 *
 * Returns: (transfer full): a #GListModel of #VmemDomain, or %NULL with an
 *   error
 *
 * Since: 0.1
 */
GListModel *
vmem_connection_list_domains (VmemConnection  *self,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_autoptr(GPtrArray) snapshots = NULL;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  snapshots = list (self, cancellable, error);
  if (snapshots == NULL)
    return NULL;

  return model_from_snapshots (self, snapshots);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *snapshots = list (source_object, cancellable, &error);

  if (snapshots == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, snapshots, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * vmem_connection_list_domains_async:
 * @self: a #VmemConnection
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the list
 * @user_data: data for @callback
 *
 * Lists the connection's domains without blocking; see
 * vmem_connection_list_domains().
 *
 * Since: 0.1
 */
void
vmem_connection_list_domains_async (VmemConnection      *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VMEM_IS_CONNECTION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmem_connection_list_domains_async);
  g_task_set_check_cancellable (task, TRUE);
  _vmem_task_run_in_thread (task, list_thread);
}

/**
 * vmem_connection_list_domains_finish:
 * @self: a #VmemConnection
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes vmem_connection_list_domains_async().
 *
 * Returns: (transfer full): a #GListModel of #VmemDomain, or %NULL with an
 *   error
 *
 * Since: 0.1
 */
GListModel *
vmem_connection_list_domains_finish (VmemConnection  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_autoptr(GPtrArray) snapshots = NULL;

  g_return_val_if_fail (VMEM_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmem_connection_list_domains_async, NULL);

  snapshots = g_task_propagate_pointer (G_TASK (result), error);
  if (snapshots == NULL)
    return NULL;

  return model_from_snapshots (self, snapshots);
}
