/* test-connection.c: VmemConnection and VmemDomain on libvirt's test driver
 *
 * Covers opening a connection (sync, async, a bogus URI, a cancelled
 * GCancellable) with its "uri" and "connected" properties, the live model
 * of domains (filled by opening, emptied by closing, items-changed and
 * "domain-added"/"domain-removed" in one dispatch for domains defined,
 * undefined, created and destroyed beside the library), looking up
 * domains (by name and by UUID, the same object each time; an unknown
 * domain keeps libvirt's VIR_ERR_NO_DOMAIN), the memory devices of a
 * domain read from a test-driver file of the test's own, the domain's
 * memory figures, refresh, the checks done before anything is sent to
 * libvirt (a bad requested size, an invalid device to attach), the test
 * driver's refusal to resize, attach and detach (its code depends on
 * libvirt's version: see assert_test_driver_refused()),
 * domains and devices that stay usable when the application lets go of
 * them, live devices that are read-only and descriptions that never reach
 * libvirt, the requested-size and stall-timeout properties,
 * lifecycle events of test:///default turned into "state" notifications on
 * the thread and GMainContext the connection was opened in, the
 * application's default GMainContext left to the application (libvirt's
 * event loop must not dispatch it from another thread), no signal from a
 * domain dropped right after an async call on it, and closing
 * ("closed" with VMEM_CLOSE_REASON_CLIENT, VMEM_ERROR_CLOSED afterwards,
 * and reopening).
 *
 * test:///default keeps one state per process while any connection to it
 * is open, so a plain libvirt connection opened beside the library's can
 * suspend and resume its domain 'test'; a test:///FILE URI gets a fresh
 * state for each connection.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <vmem.h>

#define KiB ((guint64) 1 << 10)
#define MiB ((guint64) 1 << 20)
#define GiB ((guint64) 1 << 30)

#define DEFAULT_URI "test:///default"
#define DEFAULT_DOMAIN "test"
#define DEFAULT_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

#define FILE_DOMAIN "vmem-unit"
#define FILE_UUID "5a1e9c2b-3d4f-4e6a-8b7c-9d0e1f2a3b4c"
#define OFF_DOMAIN "vmem-unit-off"
#define OFF_UUID "0f3e7b1a-9c2d-4b5e-8f6a-7d1c2b3a4e5f"

/* A running domain with a virtio-mem device and a DIMM. The test driver
 * keeps only aliases that start with "ua-". */
#define RUNNING_DOMAIN_XML \
  "<domain type='test'>\n" \
  "  <name>" FILE_DOMAIN "</name>\n" \
  "  <uuid>" FILE_UUID "</uuid>\n" \
  "  <maxMemory slots='16' unit='GiB'>16</maxMemory>\n" \
  "  <memory unit='MiB'>2048</memory>\n" \
  "  <currentMemory unit='MiB'>512</currentMemory>\n" \
  "  <vcpu>1</vcpu>\n" \
  "  <os><type arch='x86_64'>hvm</type></os>\n" \
  "  <cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB'/></numa></cpu>\n" \
  "  <devices>\n" \
  "    <memory model='virtio-mem'>\n" \
  "      <target>\n" \
  "        <size unit='GiB'>1</size>\n" \
  "        <node>0</node>\n" \
  "        <block unit='KiB'>2048</block>\n" \
  "        <requested unit='MiB'>128</requested>\n" \
  "      </target>\n" \
  "      <alias name='ua-vmem0'/>\n" \
  "    </memory>\n" \
  "    <memory model='dimm'>\n" \
  "      <target>\n" \
  "        <size unit='MiB'>512</size>\n" \
  "        <node>0</node>\n" \
  "      </target>\n" \
  "      <alias name='ua-dimm0'/>\n" \
  "      <address type='dimm' slot='0'/>\n" \
  "    </memory>\n" \
  "  </devices>\n" \
  "</domain>\n"

/* A defined domain that does not run (runstate 5 is VIR_DOMAIN_SHUTOFF). */
#define OFF_DOMAIN_XML \
  "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n" \
  "  <name>" OFF_DOMAIN "</name>\n" \
  "  <uuid>" OFF_UUID "</uuid>\n" \
  "  <memory unit='MiB'>512</memory>\n" \
  "  <os><type arch='x86_64'>hvm</type></os>\n" \
  "  <test:runstate>5</test:runstate>\n" \
  "</domain>\n"

static const char node_xml[] = "<node>\n" RUNNING_DOMAIN_XML OFF_DOMAIN_XML "</node>\n";

/* Running under valgrind makes everything slower by an order of magnitude;
 * the test setup says so through this variable. */
static guint
scaled (guint msec)
{
  const char *scale = g_getenv ("VMEM_TEST_TIME_SCALE");
  double value = 1.0;

  if (scale != NULL && *scale != '\0')
    value = g_ascii_strtod (scale, NULL);
  g_assert_cmpfloat (value, >=, 1.0);

  return (guint) (msec * value);
}

/* Wakes the context up now and then. The waits below check their
 * condition and their deadline between iterations, so that they end even
 * when a thread other than this one dispatches the context's sources. */
static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates @context until @condition holds; fails the test after @msec. */
#define WAIT_UNTIL(context, condition, msec) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + (gint64) scaled (msec) * 1000; \
    GSource *_wake = g_timeout_source_new (10); \
    g_source_set_callback (_wake, wake_up, NULL, NULL); \
    g_source_attach (_wake, (context)); \
    while (!(condition) && g_get_monotonic_time () < _deadline) \
      g_main_context_iteration ((context), TRUE); \
    g_source_destroy (_wake); \
    g_source_unref (_wake); \
    if (!(condition)) \
      g_error ("Timed out after %u ms waiting for: %s", scaled (msec), #condition); \
  } G_STMT_END

/* Iterates @context for @msec whatever happens. */
static void
spin (GMainContext *context,
      guint         msec)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) msec * 1000;
  GSource *wake = g_timeout_source_new (10);

  g_source_set_callback (wake, wake_up, NULL, NULL);
  g_source_attach (wake, context);
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (wake);
  g_source_unref (wake);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GAsyncResult **out = data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

/* Waits for an async call whose callback is store_result(). */
#define WAIT_FOR_RESULT(result) WAIT_UNTIL (NULL, (result) != NULL, 10000)

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  (*(guint *) data)++;
}

static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    data)
{
  (*(guint *) data)++;
}

static void
assert_error_codes (const GError *error,
                    VmemError     code,
                    int           libvirt_code)
{
  g_assert_error (error, VMEM_ERROR, (int) code);
  g_assert_cmpint (vmem_error_get_libvirt_code (error), ==, libvirt_code);
}

/* libvirt's test driver cannot resize, attach or detach memory devices, and
 * its answer depends on its version: libvirt 9.0 (Debian 12) has no device
 * update, attach or detach in the test driver and answers
 * VIR_ERR_NO_SUPPORT; libvirt 11.3 (Debian 13) has them, and refuses memory
 * devices with VIR_ERR_OPERATION_UNSUPPORTED. Releases between the two may
 * answer either. The library keeps libvirt's code either way. */
static void
assert_test_driver_refused (const GError *error)
{
  unsigned long version = 0;
  int code;

  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_NOT_SUPPORTED);
  g_assert_cmpint (virGetVersion (&version, NULL, NULL), ==, 0);
  code = vmem_error_get_libvirt_code (error);
  if (version < 9001000)
    g_assert_cmpint (code, ==, VIR_ERR_NO_SUPPORT);
  else if (version >= 11003000)
    g_assert_cmpint (code, ==, VIR_ERR_OPERATION_UNSUPPORTED);
  else if (code != VIR_ERR_OPERATION_UNSUPPORTED)
    g_assert_cmpint (code, ==, VIR_ERR_NO_SUPPORT);
}

/* The version of libvirt these tests run on: the test driver's, in this
 * process. */
static gulong
libvirt_version (void)
{
  unsigned long version = 0;

  g_assert_cmpint (virGetVersion (&version, NULL, NULL), ==, 0);
  return version;
}

/* How many of @n_dimms DIMM-like devices (dimm, nvdimm) and @n_others
 * other memory devices take memory slots: every one up to libvirt 9.4,
 * only the DIMM-like ones since 9.5. */
static guint
slotted (guint n_dimms,
         guint n_others)
{
  return libvirt_version () < 9005000 ? n_dimms + n_others : n_dimms;
}

typedef enum
{
  URI_DEFAULT,
  URI_FILE,
} UriKind;

typedef struct
{
  char            *path;
  char            *uri;
  VmemConnection  *conn;
  guint            n_open_notify;
  guint            n_closed;
  VmemCloseReason  close_reason;
} Fixture;

static void
on_closed (VmemConnection  *conn,
           VmemCloseReason  reason,
           gpointer         data)
{
  Fixture *fixture = data;

  g_assert_true (conn == fixture->conn);
  fixture->n_closed++;
  fixture->close_reason = reason;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  if (GPOINTER_TO_INT (data) == URI_FILE)
    {
      g_autoptr(GError) error = NULL;
      int fd;

      fd = g_file_open_tmp ("vmem-test-connection-XXXXXX.xml", &fixture->path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (fd, >=, 0);
      close (fd);
      g_file_set_contents (fixture->path, node_xml, -1, &error);
      g_assert_no_error (error);
      g_assert_true (g_path_is_absolute (fixture->path));
      fixture->uri = g_strconcat ("test://", fixture->path, NULL);
    }
  else
    {
      fixture->uri = g_strdup (DEFAULT_URI);
    }

  fixture->conn = vmem_connection_new (fixture->uri);
  g_assert_true (VMEM_IS_CONNECTION (fixture->conn));
  g_signal_connect (fixture->conn, "notify::connected",
                    G_CALLBACK (count_notify), &fixture->n_open_notify);
  g_signal_connect (fixture->conn, "closed", G_CALLBACK (on_closed), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* An open connection lives until it is closed; then dropping the last
   * reference finalizes it, once what it left on the main context has
   * run. */
  vmem_connection_close (fixture->conn);
  g_object_add_weak_pointer (G_OBJECT (fixture->conn), (gpointer *) &fixture->conn);
  g_object_unref (fixture->conn);
  WAIT_UNTIL (NULL, fixture->conn == NULL, 5000);

  if (fixture->path != NULL)
    g_assert_cmpint (g_unlink (fixture->path), ==, 0);
  g_free (fixture->path);
  g_free (fixture->uri);
}

static void
open_connection (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vmem_connection_open (fixture->conn, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vmem_connection_is_open (fixture->conn));
}

static VmemDomain *
lookup (Fixture    *fixture,
        const char *name_or_uuid)
{
  g_autoptr(GError) error = NULL;
  VmemDomain *domain;

  domain = vmem_connection_lookup_domain (fixture->conn, name_or_uuid, &error);
  g_assert_no_error (error);
  g_assert_true (VMEM_IS_DOMAIN (domain));

  return domain;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The names of a GListModel of VmemDomain, sorted and comma-separated. */
static char *
domain_names (GListModel *domains)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_list_model_get_item_type (domains) == VMEM_TYPE_DOMAIN);
  for (guint i = 0; i < g_list_model_get_n_items (domains); i++)
    {
      g_autoptr(VmemDomain) domain = g_list_model_get_item (domains, i);

      g_assert_true (VMEM_IS_DOMAIN (domain));
      g_ptr_array_add (names, g_strdup (vmem_domain_get_name (domain)));
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (",", (char **) names->pdata);
}

static void
test_open_sync (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *uri = NULL;
  gboolean open = TRUE;

  g_assert_cmpstr (vmem_connection_get_uri (fixture->conn), ==, fixture->uri);
  g_object_get (fixture->conn, "uri", &uri, "connected", &open, NULL);
  g_assert_cmpstr (uri, ==, fixture->uri);
  g_assert_false (open);
  g_assert_false (vmem_connection_is_open (fixture->conn));

  open_connection (fixture);
  g_assert_cmpuint (fixture->n_open_notify, ==, 1);
  g_object_get (fixture->conn, "connected", &open, NULL);
  g_assert_true (open);
  g_assert_cmpstr (vmem_connection_get_uri (fixture->conn), ==, fixture->uri);
  g_assert_cmpuint (fixture->n_closed, ==, 0);
}

static void
test_open_async (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean open = FALSE;

  vmem_connection_open_async (fixture->conn, NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_true (vmem_connection_open_finish (fixture->conn, result, &error));
  g_assert_no_error (error);

  g_assert_true (vmem_connection_is_open (fixture->conn));
  g_object_get (fixture->conn, "connected", &open, NULL);
  g_assert_true (open);
  g_assert_cmpuint (fixture->n_open_notify, ==, 1);
  g_assert_cmpuint (fixture->n_closed, ==, 0);
}

static void
on_sigpipe (int signum)
{
}

/* libvirt's client can raise SIGPIPE on a socket the daemon closed: the
 * first use of the class ignores it, as GIO's GSocket does, and keeps a
 * handler the application installed. Each case in a fresh process, where
 * the class was not used yet. */
static void
test_sigpipe (gconstpointer data)
{
  gboolean own_handler = GPOINTER_TO_INT (data);
  struct sigaction action;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  g_assert_null (g_type_class_peek (VMEM_TYPE_CONNECTION));
  signal (SIGPIPE, own_handler ? on_sigpipe : SIG_DFL);

  g_type_class_unref (g_type_class_ref (VMEM_TYPE_CONNECTION));

  g_assert_cmpint (sigaction (SIGPIPE, NULL, &action), ==, 0);
  if (own_handler)
    g_assert_true (action.sa_handler == on_sigpipe);
  else
    g_assert_true (action.sa_handler == SIG_IGN);
}

static void
test_open_bogus_uri (void)
{
  g_autoptr(VmemConnection) conn = vmem_connection_new ("bogus:///x");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint n_open_notify = 0;

  g_signal_connect (conn, "notify::connected", G_CALLBACK (count_notify), &n_open_notify);
  g_assert_cmpstr (vmem_connection_get_uri (conn), ==, "bogus:///x");

  g_assert_false (vmem_connection_open (conn, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == VMEM_ERROR);
  g_assert_cmpint (vmem_error_get_libvirt_code (error), !=, 0);
  g_assert_false (vmem_connection_is_open (conn));
  g_clear_error (&error);

  vmem_connection_open_async (conn, NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_false (vmem_connection_open_finish (conn, result, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == VMEM_ERROR);
  g_assert_cmpint (vmem_error_get_libvirt_code (error), !=, 0);
  g_assert_false (vmem_connection_is_open (conn));

  g_assert_cmpuint (n_open_notify, ==, 0);
  g_signal_handlers_disconnect_by_data (conn, &n_open_notify);
}

static void
test_open_cancelled (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);

  vmem_connection_open_async (fixture->conn, cancellable, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_false (vmem_connection_open_finish (fixture->conn, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (vmem_connection_is_open (fixture->conn));
  g_clear_error (&error);

  g_assert_false (vmem_connection_open (fixture->conn, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (vmem_connection_is_open (fixture->conn));

  g_assert_cmpuint (fixture->n_open_notify, ==, 0);

  /* The object is still good for a real open. */
  open_connection (fixture);
  g_assert_cmpuint (fixture->n_open_notify, ==, 1);
}

/* Calls on an open connection with an already cancelled GCancellable. */
static void
test_calls_cancelled (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  g_cancellable_cancel (cancellable);

  vmem_connection_lookup_domain_async (fixture->conn, FILE_DOMAIN, cancellable,
                                       store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_null (vmem_connection_lookup_domain_finish (fixture->conn, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);

  g_assert_false (vmem_domain_refresh (domain, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  vmem_domain_refresh_async (domain, cancellable, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_false (vmem_domain_refresh_finish (domain, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_true (vmem_connection_is_open (fixture->conn));
}

static void
test_domains (Fixture       *fixture,
              gconstpointer  data)
{
  const char *expected = GPOINTER_TO_INT (data) == URI_FILE ? FILE_DOMAIN "," OFF_DOMAIN
                                                             : DEFAULT_DOMAIN;
  guint n_expected = GPOINTER_TO_INT (data) == URI_FILE ? 2 : 1;
  GListModel *domains = vmem_connection_get_domains (fixture->conn);
  g_autoptr(GListModel) property = NULL;
  g_autofree char *names = NULL;
  guint n_changed = 0;

  /* One model for the connection's life: empty until it opens. */
  g_assert_true (G_IS_LIST_MODEL (domains));
  g_assert_true (g_list_model_get_item_type (domains) == VMEM_TYPE_DOMAIN);
  g_assert_cmpuint (g_list_model_get_n_items (domains), ==, 0);
  g_signal_connect (domains, "items-changed", G_CALLBACK (count_items_changed), &n_changed);

  /* Opening reads every domain, in one change. */
  open_connection (fixture);
  g_assert_cmpuint (n_changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (domains), ==, n_expected);
  names = domain_names (domains);
  g_assert_cmpstr (names, ==, expected);

  g_object_get (fixture->conn, "domains", &property, NULL);
  g_assert_true (property == domains);
  g_assert_true (vmem_connection_get_domains (fixture->conn) == domains);

  /* Each domain is found without asking libvirt, by name and by UUID. */
  for (guint i = 0; i < n_expected; i++)
    {
      g_autoptr(VmemDomain) domain = g_list_model_get_item (domains, i);

      g_assert_true (vmem_connection_find_domain (fixture->conn, vmem_domain_get_name (domain)) == domain);
      g_assert_true (vmem_connection_find_domain (fixture->conn, vmem_domain_get_uuid (domain)) == domain);
    }
  g_assert_null (vmem_connection_find_domain (fixture->conn, "no-such-domain"));

  /* Closing empties it, in one change. */
  vmem_connection_close (fixture->conn);
  g_assert_cmpuint (n_changed, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (domains), ==, 0);
  g_assert_null (vmem_connection_find_domain (fixture->conn, expected));

  g_signal_handlers_disconnect_by_data (domains, &n_changed);
}

static void
test_lookup (Fixture       *fixture,
             gconstpointer  data)
{
  gboolean file = GPOINTER_TO_INT (data) == URI_FILE;
  const char *name = file ? FILE_DOMAIN : DEFAULT_DOMAIN;
  const char *uuid = file ? FILE_UUID : DEFAULT_UUID;
  g_autoptr(VmemDomain) by_name = NULL;
  g_autoptr(VmemDomain) by_uuid = NULL;
  g_autoptr(VmemDomain) by_async = NULL;
  g_autoptr(GListModel) domains = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean listed = FALSE;

  open_connection (fixture);

  by_name = lookup (fixture, name);
  g_assert_cmpstr (vmem_domain_get_name (by_name), ==, name);
  g_assert_cmpstr (vmem_domain_get_uuid (by_name), ==, uuid);
  g_assert_true (vmem_domain_get_connection (by_name) == fixture->conn);
  g_assert_cmpint (vmem_domain_get_state (by_name), ==, VMEM_DOMAIN_STATE_RUNNING);
  g_assert_true (vmem_domain_is_active (by_name));
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_get_memory_devices (by_name)),
                    ==, file ? 2 : 0);

  by_uuid = lookup (fixture, uuid);
  g_assert_true (by_uuid == by_name);

  vmem_connection_lookup_domain_async (fixture->conn, name, NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  by_async = vmem_connection_lookup_domain_finish (fixture->conn, result, &error);
  g_assert_no_error (error);
  g_assert_true (by_async == by_name);

  /* The model holds the same object. */
  domains = g_object_ref (vmem_connection_get_domains (fixture->conn));
  for (guint i = 0; i < g_list_model_get_n_items (domains); i++)
    {
      g_autoptr(VmemDomain) domain = g_list_model_get_item (domains, i);

      if (g_strcmp0 (vmem_domain_get_name (domain), name) == 0)
        {
          g_assert_true (domain == by_name);
          listed = TRUE;
        }
    }
  g_assert_true (listed);
}

static void
test_lookup_not_found (Fixture       *fixture,
                       gconstpointer  data)
{
  /* A well-formed name and a well-formed UUID that are not there. */
  const char *missing[] = { "no-such-domain", "00000000-1111-2222-3333-444444444444" };
  g_autoptr(GError) error = NULL;

  open_connection (fixture);

  for (gsize i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;

      g_assert_null (vmem_connection_lookup_domain (fixture->conn, missing[i], &error));
      assert_error_codes (error, VMEM_ERROR_NOT_FOUND, VIR_ERR_NO_DOMAIN);
      g_clear_error (&error);

      vmem_connection_lookup_domain_async (fixture->conn, missing[i], NULL,
                                           store_result, &result);
      WAIT_FOR_RESULT (result);
      g_assert_null (vmem_connection_lookup_domain_finish (fixture->conn, result, &error));
      assert_error_codes (error, VMEM_ERROR_NOT_FOUND, VIR_ERR_NO_DOMAIN);
      g_clear_error (&error);
    }

  g_assert_true (vmem_connection_is_open (fixture->conn));
}

static void
assert_file_devices (VmemDomain        *domain,
                     VmemMemoryDevice **virtio_mem_out,
                     VmemMemoryDevice **dimm_out)
{
  GListModel *devices = vmem_domain_get_memory_devices (domain);
  g_autoptr(VmemMemoryDevice) first = NULL;
  g_autoptr(VmemMemoryDevice) second = NULL;
  const VmemDeviceAddress *address;
  VmemVirtioMem *virtio_mem;

  g_assert_true (G_IS_LIST_MODEL (devices));
  g_assert_true (g_list_model_get_item_type (devices) == VMEM_TYPE_MEMORY_DEVICE);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 2);

  first = g_list_model_get_item (devices, 0);
  g_assert_true (VMEM_IS_VIRTIO_MEM (first));
  virtio_mem = VMEM_VIRTIO_MEM (first);
  g_assert_cmpint (vmem_memory_device_get_model (first), ==, VMEM_MEMORY_MODEL_VIRTIO_MEM);
  g_assert_cmpstr (vmem_memory_device_get_alias (first), ==, "ua-vmem0");
  g_assert_cmpuint (vmem_memory_device_get_size (first), ==, 1 * GiB);
  g_assert_cmpint (vmem_memory_device_get_node (first), ==, 0);
  g_assert_cmpuint (vmem_virtio_mem_get_block_size (virtio_mem), ==, 2 * MiB);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (virtio_mem), ==, 128 * MiB);
  /* The test driver reports nothing plugged. */
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (virtio_mem), ==, 0);

  second = g_list_model_get_item (devices, 1);
  g_assert_true (VMEM_IS_DIMM (second));
  g_assert_cmpint (vmem_memory_device_get_model (second), ==, VMEM_MEMORY_MODEL_DIMM);
  g_assert_cmpstr (vmem_memory_device_get_alias (second), ==, "ua-dimm0");
  g_assert_cmpuint (vmem_memory_device_get_size (second), ==, 512 * MiB);
  g_assert_cmpint (vmem_memory_device_get_node (second), ==, 0);
  address = vmem_memory_device_get_address (second);
  g_assert_nonnull (address);
  g_assert_cmpint (vmem_device_address_get_address_type (address), ==, VMEM_ADDRESS_TYPE_DIMM);
  g_assert_cmpuint (vmem_device_address_get_dimm_slot (address), ==, 0);

  g_assert_true (vmem_domain_find_memory_device (domain, "ua-vmem0") == first);
  g_assert_true (vmem_domain_find_memory_device (domain, "ua-dimm0") == second);
  g_assert_null (vmem_domain_find_memory_device (domain, "ua-nothing"));

  if (virtio_mem_out != NULL)
    *virtio_mem_out = g_steal_pointer (&first);
  if (dimm_out != NULL)
    *dimm_out = g_steal_pointer (&second);
}

static void
test_domain_devices (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(VmemDomain) domain = NULL;

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  g_assert_cmpstr (vmem_domain_get_uuid (domain), ==, FILE_UUID);
  g_assert_cmpint (vmem_domain_get_state (domain), ==, VMEM_DOMAIN_STATE_RUNNING);
  g_assert_true (vmem_domain_is_active (domain));
  assert_file_devices (domain, NULL, NULL);
}

static void
test_domain_inactive (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemDomain) by_uuid = NULL;

  open_connection (fixture);
  domain = lookup (fixture, OFF_DOMAIN);
  g_assert_cmpstr (vmem_domain_get_name (domain), ==, OFF_DOMAIN);
  g_assert_cmpstr (vmem_domain_get_uuid (domain), ==, OFF_UUID);
  g_assert_cmpint (vmem_domain_get_state (domain), ==, VMEM_DOMAIN_STATE_SHUTOFF);
  g_assert_false (vmem_domain_is_active (domain));
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_get_memory_devices (domain)), ==, 0);

  by_uuid = lookup (fixture, OFF_UUID);
  g_assert_true (by_uuid == domain);
}

/* A refresh reads the domain again; the device objects stay the same. */
static void
test_domain_refresh (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemMemoryDevice) virtio_mem = NULL;
  g_autoptr(VmemMemoryDevice) dimm = NULL;
  g_autoptr(VmemMemoryDevice) virtio_mem_again = NULL;
  g_autoptr(VmemMemoryDevice) dimm_again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  assert_file_devices (domain, &virtio_mem, &dimm);

  g_assert_true (vmem_domain_refresh (domain, NULL, &error));
  g_assert_no_error (error);
  assert_file_devices (domain, &virtio_mem_again, &dimm_again);
  g_assert_true (virtio_mem_again == virtio_mem);
  g_assert_true (dimm_again == dimm);
  g_clear_object (&virtio_mem_again);
  g_clear_object (&dimm_again);

  vmem_domain_refresh_async (domain, NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_true (vmem_domain_refresh_finish (domain, result, &error));
  g_assert_no_error (error);
  assert_file_devices (domain, &virtio_mem_again, &dimm_again);
  g_assert_true (virtio_mem_again == virtio_mem);
  g_assert_true (dimm_again == dimm);
  g_assert_cmpint (vmem_domain_get_state (domain), ==, VMEM_DOMAIN_STATE_RUNNING);
}

/* A device of a domain on the test driver: sizes that break the device's
 * rules are refused before libvirt sees them; a good one reaches libvirt,
 * which does not support resizing. The device does not change either way. */
static void
test_set_requested_size_live (Fixture       *fixture,
                              gconstpointer  data)
{
  const struct {
    guint64   size;
    VmemError code;
  } bad[] = {
    { 129 * MiB, VMEM_ERROR_NOT_ALIGNED },
    { 1 * MiB, VMEM_ERROR_NOT_ALIGNED },
    { 2 * GiB, VMEM_ERROR_OUT_OF_RANGE },
    { 1 * GiB + 2 * MiB, VMEM_ERROR_OUT_OF_RANGE },
  };
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemMemoryDevice) device = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  VmemVirtioMem *virtio_mem;
  guint n_requested_notify = 0;

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  assert_file_devices (domain, &device, NULL);
  virtio_mem = VMEM_VIRTIO_MEM (device);
  g_signal_connect (device, "notify::requested-size",
                    G_CALLBACK (count_notify), &n_requested_notify);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (vmem_virtio_mem_set_requested_size (virtio_mem, bad[i].size,
                                                          VMEM_AFFECT_LIVE, NULL, &error));
      assert_error_codes (error, bad[i].code, 0);
      g_clear_error (&error);

      vmem_virtio_mem_set_requested_size_async (virtio_mem, bad[i].size, VMEM_AFFECT_LIVE,
                                                NULL, store_result, &result);
      WAIT_FOR_RESULT (result);
      g_assert_false (vmem_virtio_mem_set_requested_size_finish (virtio_mem, result, &error));
      assert_error_codes (error, bad[i].code, 0);
      g_clear_error (&error);
      g_clear_object (&result);

      vmem_virtio_mem_resize_async (virtio_mem, bad[i].size, NULL, store_result, &result);
      WAIT_FOR_RESULT (result);
      g_assert_false (vmem_virtio_mem_resize_finish (virtio_mem, result, &error));
      assert_error_codes (error, bad[i].code, 0);
      g_clear_error (&error);
      g_clear_object (&result);
    }

  g_assert_false (vmem_virtio_mem_set_requested_size (virtio_mem, 256 * MiB,
                                                      VMEM_AFFECT_LIVE, NULL, &error));
  assert_test_driver_refused (error);
  g_clear_error (&error);

  vmem_virtio_mem_set_requested_size_async (virtio_mem, 256 * MiB, VMEM_AFFECT_LIVE,
                                            NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_false (vmem_virtio_mem_set_requested_size_finish (virtio_mem, result, &error));
  assert_test_driver_refused (error);
  g_clear_error (&error);
  g_clear_object (&result);

  vmem_virtio_mem_resize_async (virtio_mem, 256 * MiB, NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_false (vmem_virtio_mem_resize_finish (virtio_mem, result, &error));
  assert_test_driver_refused (error);
  g_clear_error (&error);

  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (virtio_mem), ==, 128 * MiB);
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (virtio_mem), ==, 0);
  g_assert_cmpuint (n_requested_notify, ==, 0);

  /* libvirt still has the old size too. */
  g_assert_true (vmem_domain_refresh (domain, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (virtio_mem), ==, 128 * MiB);
  g_assert_cmpuint (n_requested_notify, ==, 0);

  /* The device belongs to the domain, which may outlive this function. */
  g_signal_handlers_disconnect_by_data (device, &n_requested_notify);
}

/* The connection holds its domains: a device stays live, and reaches
 * libvirt, once the application let go of its domain, as it does in
 * Python after `conn.lookup_domain (name).find_memory_device (alias)`. */
static void
test_device_outlives_domain_ref (Fixture       *fixture,
                                 gconstpointer  data)
{
  VmemDomain *domain;
  g_autoptr(VmemMemoryDevice) device = NULL;
  g_autoptr(GObject) held = NULL;
  g_autoptr(GError) error = NULL;

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  device = g_object_ref (vmem_domain_find_memory_device (domain, "ua-vmem0"));
  g_object_add_weak_pointer (G_OBJECT (domain), (gpointer *) &domain);
  g_object_unref (g_steal_pointer (&domain));
  domain = vmem_connection_find_domain (fixture->conn, FILE_DOMAIN);
  g_assert_nonnull (domain);

  g_assert_true (vmem_memory_device_is_live (device));
  g_object_get (device, "domain", &held, NULL);
  g_assert_true (held == G_OBJECT (domain));

  /* It reaches libvirt: the test driver's refusal, not the library's. */
  g_assert_false (vmem_virtio_mem_set_requested_size (VMEM_VIRTIO_MEM (device), 256 * MiB,
                                                      VMEM_AFFECT_LIVE, NULL, &error));
  assert_test_driver_refused (error);

  g_object_remove_weak_pointer (G_OBJECT (domain), (gpointer *) &domain);
}

static void
on_domain_removed_count (VmemConnection *conn,
                         VmemDomain     *domain,
                         gpointer        data)
{
  (*(guint *) data)++;
}

/* A device whose domain is gone cannot reach its guest any more: a live
 * change must fail, not change only the object. */
static void
test_set_requested_size_orphaned (Fixture       *fixture,
                                  gconstpointer  data)
{
  static const char xml[] =
    "<domain type='test'>\n"
    "  <name>vmem-orphan</name>\n"
    "  <maxMemory slots='4' unit='GiB'>8</maxMemory>\n"
    "  <memory unit='MiB'>1536</memory>\n"
    "  <os><type arch='x86_64'>hvm</type></os>\n"
    "  <cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB'/></numa></cpu>\n"
    "  <devices><memory model='virtio-mem'><target><size unit='GiB'>1</size>"
    "<node>0</node><block unit='KiB'>2048</block><requested unit='MiB'>128</requested>"
    "</target><alias name='ua-vmem9'/></memory></devices>\n"
    "</domain>\n";
  g_autoptr(VmemMemoryDevice) device = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemDomain) domain = NULL;
  virConnectPtr plain;
  virDomainPtr dom;
  GObject *owner = NULL;
  guint n_removed = 0;
  VmemVirtioMem *virtio_mem;

  open_connection (fixture);
  plain = virConnectOpen (DEFAULT_URI);
  g_assert_nonnull (plain);
  dom = virDomainDefineXML (plain, xml);
  g_assert_nonnull (dom);

  domain = vmem_connection_lookup_domain (fixture->conn, "vmem-orphan", &error);
  g_assert_no_error (error);
  device = g_object_ref (vmem_domain_find_memory_device (domain, "ua-vmem9"));
  g_assert_nonnull (device);
  virtio_mem = VMEM_VIRTIO_MEM (device);
  g_signal_connect (fixture->conn, "domain-removed", G_CALLBACK (on_domain_removed_count), &n_removed);

  /* Gone from libvirt, and from the model; nobody holds the domain. */
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  WAIT_UNTIL (NULL, n_removed == 1, 5000);
  g_object_add_weak_pointer (G_OBJECT (domain), (gpointer *) &owner);
  owner = G_OBJECT (domain);
  g_clear_object (&domain);
  g_assert_null (owner);

  g_assert_true (vmem_memory_device_is_live (device));
  g_object_get (device, "domain", &owner, NULL);
  g_assert_null (owner);

  g_assert_false (vmem_virtio_mem_set_requested_size (virtio_mem, 256 * MiB,
                                                      VMEM_AFFECT_LIVE, NULL, &error));
  assert_error_codes (error, VMEM_ERROR_NOT_FOUND, 0);
  g_assert_nonnull (strstr (error->message, "ua-vmem9"));
  g_clear_error (&error);

  vmem_virtio_mem_set_requested_size_async (virtio_mem, 256 * MiB, VMEM_AFFECT_LIVE,
                                            NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_false (vmem_virtio_mem_set_requested_size_finish (virtio_mem, result, &error));
  assert_error_codes (error, VMEM_ERROR_NOT_FOUND, 0);
  g_clear_error (&error);
  g_clear_object (&result);

  vmem_virtio_mem_resize_async (virtio_mem, 256 * MiB, NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_false (vmem_virtio_mem_resize_finish (virtio_mem, result, &error));
  assert_error_codes (error, VMEM_ERROR_NOT_FOUND, 0);
  g_clear_error (&error);

  /* Nothing changed, not even the object. */
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (virtio_mem), ==, 128 * MiB);

  g_signal_handlers_disconnect_by_data (fixture->conn, &n_removed);
  virDomainFree (dom);
  g_assert_cmpint (virConnectClose (plain), >=, 0);
}

/* A description (made, or read from XML) never reaches libvirt: its
 * requested size is a property, and the command refuses it. */
static void
check_description_virtio_mem (VmemVirtioMem *virtio_mem,
                              guint64        start)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint n_notify = 0;
  guint64 value = 0;

  g_assert_false (vmem_memory_device_is_live (VMEM_MEMORY_DEVICE (virtio_mem)));
  g_signal_connect (virtio_mem, "notify::requested-size", G_CALLBACK (count_notify), &n_notify);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (virtio_mem), ==, start);

  /* A wrong size is refused for what it is; a right one, for being sent
   * to no guest. */
  g_assert_false (vmem_virtio_mem_set_requested_size (virtio_mem, 3 * MiB,
                                                      VMEM_AFFECT_CURRENT, NULL, &error));
  assert_error_codes (error, VMEM_ERROR_NOT_ALIGNED, 0);
  g_clear_error (&error);
  g_assert_false (vmem_virtio_mem_set_requested_size (virtio_mem, 256 * MiB,
                                                      VMEM_AFFECT_CURRENT, NULL, &error));
  assert_error_codes (error, VMEM_ERROR_NOT_SUPPORTED, 0);
  g_clear_error (&error);

  vmem_virtio_mem_set_requested_size_async (virtio_mem, 0, VMEM_AFFECT_CONFIG, NULL,
                                            store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_false (vmem_virtio_mem_set_requested_size_finish (virtio_mem, result, &error));
  assert_error_codes (error, VMEM_ERROR_NOT_SUPPORTED, 0);
  g_clear_error (&error);
  g_clear_object (&result);

  vmem_virtio_mem_resize_async (virtio_mem, 0, NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_false (vmem_virtio_mem_resize_finish (virtio_mem, result, &error));
  assert_error_codes (error, VMEM_ERROR_NOT_SUPPORTED, 0);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (virtio_mem), ==, start);
  g_assert_cmpuint (n_notify, ==, 0);

  /* The property is the description's to set. */
  g_object_set (virtio_mem, "requested-size", (guint64) 256 * MiB, NULL);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (virtio_mem), ==, 256 * MiB);
  g_object_get (virtio_mem, "requested-size", &value, NULL);
  g_assert_cmpuint (value, ==, 256 * MiB);
  g_assert_cmpuint (n_notify, ==, 1);
  g_object_set (virtio_mem, "requested-size", (guint64) 256 * MiB, NULL);
  g_assert_cmpuint (n_notify, ==, 1);
  g_signal_handlers_disconnect_by_data (virtio_mem, &n_notify);
}

static void
test_set_requested_size_description (void)
{
  g_autoptr(VmemVirtioMem) created = vmem_virtio_mem_new ();
  g_autoptr(VmemDomainConfig) config = NULL;
  g_autoptr(VmemMemoryDevice) from_config = NULL;
  g_autoptr(GError) error = NULL;

  vmem_memory_device_set_size (VMEM_MEMORY_DEVICE (created), 1 * GiB);
  vmem_virtio_mem_set_block_size (created, 2 * MiB);
  check_description_virtio_mem (created, 0);

  config = vmem_domain_config_new_from_xml (RUNNING_DOMAIN_XML, &error);
  g_assert_no_error (error);
  from_config = g_list_model_get_item (vmem_domain_config_get_memory_devices (config), 0);
  g_assert_true (VMEM_IS_VIRTIO_MEM (from_config));
  check_description_virtio_mem (VMEM_VIRTIO_MEM (from_config), 128 * MiB);
}

static void
test_requested_size_property (void)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (VMEM_TYPE_VIRTIO_MEM);
  g_autoptr(VmemVirtioMem) virtio_mem = NULL;
  GParamSpec *pspec;

  pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), "requested-size");
  g_assert_nonnull (pspec);
  g_assert_true (pspec->value_type == G_TYPE_UINT64);
  g_assert_true ((pspec->flags & G_PARAM_READWRITE) == G_PARAM_READWRITE);
  g_assert_false (pspec->flags & G_PARAM_CONSTRUCT_ONLY);

  virtio_mem = g_object_new (VMEM_TYPE_VIRTIO_MEM,
                             "size", (guint64) 1 * GiB,
                             "block-size", (guint64) 2 * MiB,
                             "requested-size", (guint64) 64 * MiB,
                             NULL);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (virtio_mem), ==, 64 * MiB);
}

/* A live device is read-only: its setters refuse, loudly, and change
 * nothing. A copy is a description to edit, equal to it. */
static void
test_live_device_read_only (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemMemoryDevice) copy = NULL;
  VmemMemoryDevice *device;
  guint n_notify = 0;

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  device = vmem_domain_find_memory_device (domain, "ua-vmem0");
  g_assert_true (vmem_memory_device_is_live (device));
  g_signal_connect (device, "notify", G_CALLBACK (count_notify), &n_notify);

  g_test_expect_message ("Vmem", G_LOG_LEVEL_CRITICAL, "*live device*");
  vmem_memory_device_set_size (device, 2 * GiB);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Vmem", G_LOG_LEVEL_CRITICAL, "*live device*");
  vmem_virtio_mem_set_block_size (VMEM_VIRTIO_MEM (device), 4 * MiB);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Vmem", G_LOG_LEVEL_CRITICAL, "*live device*");
  g_object_set (device, "requested-size", (guint64) 256 * MiB, NULL);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (vmem_memory_device_get_size (device), ==, 1 * GiB);
  g_assert_cmpuint (vmem_virtio_mem_get_block_size (VMEM_VIRTIO_MEM (device)), ==, 2 * MiB);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (VMEM_VIRTIO_MEM (device)), ==, 128 * MiB);
  g_assert_cmpuint (n_notify, ==, 0);

  /* Settings that are not the guest's stay the application's. */
  vmem_virtio_mem_set_stall_timeout (VMEM_VIRTIO_MEM (device), 1234);
  g_assert_cmpuint (n_notify, ==, 1);

  copy = vmem_memory_device_copy (device);
  g_assert_true (VMEM_IS_VIRTIO_MEM (copy));
  g_assert_false (vmem_memory_device_is_live (copy));
  g_assert_true (vmem_memory_device_equal (copy, device));
  vmem_memory_device_set_size (copy, 2 * GiB);
  g_assert_cmpuint (vmem_memory_device_get_size (copy), ==, 2 * GiB);
  g_assert_cmpuint (vmem_memory_device_get_size (device), ==, 1 * GiB);

  g_signal_handlers_disconnect_by_data (device, &n_notify);
}

/* A snapshot of the domain is a copy: its devices are descriptions equal
 * to the live ones, and what happens to either leaves the other alone. */
static void
test_dup_config (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemDomainConfig) config = NULL;
  g_autoptr(VmemDomainConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *snapshot, *live;

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  config = vmem_domain_dup_config (domain);
  g_assert_cmpstr (vmem_domain_config_get_name (config), ==, FILE_DOMAIN);
  g_assert_cmpuint (vmem_domain_config_get_max_memory (config), ==, 16 * GiB);
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_config_get_numa_cells (config)), ==, 1);

  snapshot = vmem_domain_config_get_memory_devices (config);
  live = vmem_domain_get_memory_devices (domain);
  g_assert_cmpuint (g_list_model_get_n_items (snapshot), ==, g_list_model_get_n_items (live));
  for (guint i = 0; i < g_list_model_get_n_items (live); i++)
    {
      g_autoptr(VmemMemoryDevice) a = g_list_model_get_item (snapshot, i);
      g_autoptr(VmemMemoryDevice) b = g_list_model_get_item (live, i);

      g_assert_true (a != b);
      g_assert_false (vmem_memory_device_is_live (a));
      g_assert_true (vmem_memory_device_equal (a, b));
    }

  /* A new read leaves the snapshot as it was; a new snapshot is new. */
  g_assert_true (vmem_domain_refresh (domain, NULL, &error));
  g_assert_no_error (error);
  again = vmem_domain_dup_config (domain);
  g_assert_true (again != config);
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_config_get_memory_devices (config)), ==, 2);
}

static void
assert_usage (VmemMemoryUsage *usage,
              int              node,
              guint64          base,
              guint64          dimm,
              guint64          virtio_mem,
              guint64          requested,
              guint64          maximum)
{
  guint64 total = 0;

  g_assert_cmpint (vmem_memory_usage_get_node (usage), ==, node);
  g_assert_cmpuint (vmem_memory_usage_get_base (usage), ==, base);
  g_assert_cmpuint (vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_DIMM), ==, dimm);
  g_assert_cmpuint (vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_NVDIMM), ==, 0);
  g_assert_cmpuint (vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_VIRTIO_PMEM), ==, 0);
  g_assert_cmpuint (vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_SGX_EPC), ==, 0);
  g_assert_cmpuint (vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_VIRTIO_MEM), ==, virtio_mem);
  g_assert_cmpuint (vmem_memory_usage_get_virtio_mem_requested (usage), ==, requested);
  g_assert_cmpuint (vmem_memory_usage_get_virtio_mem_maximum (usage), ==, maximum);
  g_assert_cmpuint (vmem_memory_usage_get_total (usage), ==, base + dimm + virtio_mem);
  g_object_get (usage, "total", &total, NULL);
  g_assert_cmpuint (total, ==, base + dimm + virtio_mem);
}

/* The figures of the test file's domains, from their XML: 512 MiB on node
 * 0, a 512 MiB DIMM, a 1 GiB virtio-mem device asked for 128 MiB (the test
 * driver plugs nothing), 16 GiB and 16 slots at most. */
static void
test_domain_figures (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemDomain) off = NULL;
  g_autoptr(VmemMemoryUsage) node = NULL;
  g_autoptr(VmemMemoryUsage) memory = NULL;
  GListModel *nodes;
  guint64 headroom = 0;
  guint free_slots = 0;

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);

  assert_usage (vmem_domain_get_memory (domain), -1, 512 * MiB, 512 * MiB, 0, 128 * MiB, 1 * GiB);
  nodes = vmem_domain_get_numa_nodes (domain);
  g_assert_true (g_list_model_get_item_type (nodes) == VMEM_TYPE_MEMORY_USAGE);
  g_assert_cmpuint (g_list_model_get_n_items (nodes), ==, 1);
  node = g_list_model_get_item (nodes, 0);
  assert_usage (node, 0, 512 * MiB, 512 * MiB, 0, 128 * MiB, 1 * GiB);

  g_assert_cmpuint (vmem_domain_get_max_memory (domain), ==, 16 * GiB);
  g_assert_cmpuint (vmem_domain_get_memory_slots (domain), ==, 16);
  /* A DIMM and a virtio-mem device, which takes a slot up to libvirt 9.4. */
  g_assert_cmpuint (vmem_domain_get_free_memory_slots (domain), ==, 16 - slotted (1, 1));
  g_assert_cmpuint (vmem_domain_get_hotplug_headroom (domain), ==, 16 * GiB - 512 * MiB - 512 * MiB - 1 * GiB);
  g_object_get (domain, "hotplug-headroom", &headroom, "free-memory-slots", &free_slots,
                "memory", &memory, NULL);
  g_assert_cmpuint (headroom, ==, 14 * GiB);
  g_assert_cmpuint (free_slots, ==, 16 - slotted (1, 1));
  g_assert_true (memory == vmem_domain_get_memory (domain));

  /* Without NUMA cells and devices: <memory> is the boot memory, and
   * there is nothing to hot-plug into. */
  off = lookup (fixture, OFF_DOMAIN);
  assert_usage (vmem_domain_get_memory (off), -1, 512 * MiB, 0, 0, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_get_numa_nodes (off)), ==, 0);
  g_assert_cmpuint (vmem_domain_get_max_memory (off), ==, 0);
  g_assert_cmpuint (vmem_domain_get_hotplug_headroom (off), ==, 0);
  g_assert_cmpuint (vmem_domain_get_free_memory_slots (off), ==, 0);
}

static void
test_stall_timeout (void)
{
  g_autoptr(VmemVirtioMem) virtio_mem = vmem_virtio_mem_new ();
  GParamSpec *pspec;
  guint n_notify = 0;
  guint value = 0;

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (virtio_mem), "stall-timeout");
  g_assert_nonnull (pspec);
  g_assert_true (pspec->value_type == G_TYPE_UINT);
  g_assert_true ((pspec->flags & G_PARAM_READWRITE) == G_PARAM_READWRITE);

  g_signal_connect (virtio_mem, "notify::stall-timeout", G_CALLBACK (count_notify), &n_notify);
  vmem_virtio_mem_set_stall_timeout (virtio_mem, vmem_virtio_mem_get_stall_timeout (virtio_mem));
  g_assert_cmpuint (n_notify, ==, 0);

  vmem_virtio_mem_set_stall_timeout (virtio_mem, 1234);
  g_assert_cmpuint (vmem_virtio_mem_get_stall_timeout (virtio_mem), ==, 1234);
  g_assert_cmpuint (n_notify, ==, 1);
  vmem_virtio_mem_set_stall_timeout (virtio_mem, 1234);
  g_assert_cmpuint (n_notify, ==, 1);

  g_object_set (virtio_mem, "stall-timeout", 4321u, NULL);
  g_object_get (virtio_mem, "stall-timeout", &value, NULL);
  g_assert_cmpuint (value, ==, 4321);
  g_assert_cmpuint (vmem_virtio_mem_get_stall_timeout (virtio_mem), ==, 4321);
  g_assert_cmpuint (n_notify, ==, 2);
  g_signal_handlers_disconnect_by_data (virtio_mem, &n_notify);
}

/* Invalid devices get the error validation gives them; libvirt never sees
 * them (it would refuse them as it refuses valid ones). */
static void
test_attach_invalid (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemVirtioMem) odd_block = vmem_virtio_mem_new ();
  g_autoptr(VmemDimm) no_size = vmem_dimm_new ();
  g_autoptr(VmemVirtioMem) over = NULL;
  VmemMemoryDevice *invalid[3];
  guint n_changed = 0;

  vmem_memory_device_set_size (VMEM_MEMORY_DEVICE (odd_block), 1 * GiB);
  vmem_memory_device_set_node (VMEM_MEMORY_DEVICE (odd_block), 0);
  vmem_virtio_mem_set_block_size (odd_block, 3 * MiB);

  vmem_memory_device_set_node (VMEM_MEMORY_DEVICE (no_size), 0);

  over = VMEM_VIRTIO_MEM (vmem_memory_device_new_from_xml (
    "<memory model='virtio-mem'><target><size unit='MiB'>512</size><node>0</node>"
    "<block unit='KiB'>2048</block><requested unit='MiB'>1024</requested>"
    "</target></memory>", NULL));
  g_assert_nonnull (over);

  invalid[0] = VMEM_MEMORY_DEVICE (odd_block);
  invalid[1] = VMEM_MEMORY_DEVICE (no_size);
  invalid[2] = VMEM_MEMORY_DEVICE (over);

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  g_signal_connect (vmem_domain_get_memory_devices (domain), "items-changed",
                    G_CALLBACK (count_items_changed), &n_changed);

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) expected = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_false (vmem_memory_device_validate (invalid[i], &expected));
      g_assert_nonnull (expected);
      g_assert_true (expected->domain == VMEM_ERROR);
      g_assert_cmpint (expected->code, !=, VMEM_ERROR_NOT_SUPPORTED);

      g_assert_null (vmem_domain_attach_device (domain, invalid[i], VMEM_AFFECT_LIVE,
                                                 NULL, &error));
      assert_error_codes (error, expected->code, 0);
      g_clear_error (&error);

      vmem_domain_attach_device_async (domain, invalid[i], VMEM_AFFECT_LIVE | VMEM_AFFECT_CONFIG,
                                       NULL, store_result, &result);
      WAIT_FOR_RESULT (result);
      g_assert_null (vmem_domain_attach_device_finish (domain, result, &error));
      assert_error_codes (error, expected->code, 0);
    }

  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_get_memory_devices (domain)), ==, 2);
  g_assert_cmpuint (n_changed, ==, 0);

  /* The list belongs to the domain, which may outlive this function. */
  g_signal_handlers_disconnect_by_data (vmem_domain_get_memory_devices (domain), &n_changed);
}

/* A device that would take a slot when none is left is refused before
 * libvirt sees it, in the words of the libvirt the connection talks to;
 * which devices take one follows its version. */
static void
test_attach_no_slot (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char xml[] =
    "<domain type='test'>\n"
    "  <name>vmem-one-slot</name>\n"
    "  <maxMemory slots='1' unit='GiB'>8</maxMemory>\n"
    "  <memory unit='MiB'>1024</memory>\n"
    "  <os><type arch='x86_64'>hvm</type></os>\n"
    "  <cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB'/></numa></cpu>\n"
    "  <devices><memory model='dimm'><target><size unit='MiB'>512</size><node>0</node>"
    "</target><alias name='ua-dimm7'/><address type='dimm' slot='0'/></memory></devices>\n"
    "</domain>\n";
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemDimm) dimm = vmem_dimm_new ();
  g_autoptr(VmemVirtioMem) virtio_mem = vmem_virtio_mem_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *refusal;
  virConnectPtr plain;
  virDomainPtr dom;

  vmem_memory_device_set_size (VMEM_MEMORY_DEVICE (dimm), 256 * MiB);
  vmem_memory_device_set_node (VMEM_MEMORY_DEVICE (dimm), 0);
  vmem_memory_device_set_size (VMEM_MEMORY_DEVICE (virtio_mem), 1 * GiB);
  vmem_memory_device_set_node (VMEM_MEMORY_DEVICE (virtio_mem), 0);
  vmem_virtio_mem_set_block_size (virtio_mem, 2 * MiB);

  open_connection (fixture);
  g_assert_cmpuint (vmem_connection_get_libvirt_version (fixture->conn), ==, libvirt_version ());
  plain = virConnectOpen (DEFAULT_URI);
  g_assert_nonnull (plain);
  dom = virDomainCreateXML (plain, xml, 0);
  g_assert_nonnull (dom);
  domain = vmem_connection_lookup_domain (fixture->conn, "vmem-one-slot", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vmem_domain_get_memory_slots (domain), ==, 1);
  g_assert_cmpuint (vmem_domain_get_free_memory_slots (domain), ==, 0);

  refusal = libvirt_version () < 9005000
    ? "Cannot attach the memory device to domain 'vmem-one-slot': "
      "memory device count '2' exceeds slots count '1'"
    : "Cannot attach the memory device to domain 'vmem-one-slot': "
      "count of memory devices requiring memory slots '2' exceeds slots count '1'";

  /* A DIMM takes a slot whatever the version: refused, sync and async. */
  g_assert_null (vmem_domain_attach_device (domain, VMEM_MEMORY_DEVICE (dimm),
                                             VMEM_AFFECT_LIVE, NULL, &error));
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==, refusal);
  g_assert_cmpint (vmem_error_get_libvirt_code (error), ==, 0);
  g_clear_error (&error);

  vmem_domain_attach_device_async (domain, VMEM_MEMORY_DEVICE (dimm), VMEM_AFFECT_CURRENT,
                                   NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_null (vmem_domain_attach_device_finish (domain, result, &error));
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==, refusal);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Added to the configuration of the running domain only: the domain's
   * figures do not say, and libvirt decides. */
  g_assert_null (vmem_domain_attach_device (domain, VMEM_MEMORY_DEVICE (dimm),
                                             VMEM_AFFECT_CONFIG, NULL, &error));
  g_assert_false (g_error_matches (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG) &&
                  g_strcmp0 (error->message, refusal) == 0);
  g_clear_error (&error);

  /* A virtio-mem device takes a slot up to libvirt 9.4 only: since 9.5 it
   * reaches libvirt, whose test driver cannot attach. */
  g_assert_null (vmem_domain_attach_device (domain, VMEM_MEMORY_DEVICE (virtio_mem),
                                             VMEM_AFFECT_LIVE, NULL, &error));
  if (libvirt_version () < 9005000)
    {
      g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG);
      g_assert_cmpstr (error->message, ==, refusal);
    }
  else
    assert_test_driver_refused (error);
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_get_memory_devices (domain)), ==, 1);

  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  virDomainFree (dom);
  virConnectClose (plain);
}

/* A valid DIMM reaches libvirt, whose test driver cannot attach. */
static void
test_attach_not_supported (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemDimm) dimm = vmem_dimm_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint n_changed = 0;

  vmem_memory_device_set_size (VMEM_MEMORY_DEVICE (dimm), 256 * MiB);
  vmem_memory_device_set_node (VMEM_MEMORY_DEVICE (dimm), 0);
  g_assert_true (vmem_memory_device_validate (VMEM_MEMORY_DEVICE (dimm), &error));
  g_assert_no_error (error);

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  g_signal_connect (vmem_domain_get_memory_devices (domain), "items-changed",
                    G_CALLBACK (count_items_changed), &n_changed);

  g_assert_null (vmem_domain_attach_device (domain, VMEM_MEMORY_DEVICE (dimm),
                                             VMEM_AFFECT_LIVE, NULL, &error));
  assert_test_driver_refused (error);
  g_clear_error (&error);

  vmem_domain_attach_device_async (domain, VMEM_MEMORY_DEVICE (dimm), VMEM_AFFECT_CURRENT,
                                   NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_null (vmem_domain_attach_device_finish (domain, result, &error));
  assert_test_driver_refused (error);

  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_get_memory_devices (domain)), ==, 2);
  g_assert_cmpuint (n_changed, ==, 0);

  /* The list belongs to the domain, which may outlive this function. */
  g_signal_handlers_disconnect_by_data (vmem_domain_get_memory_devices (domain), &n_changed);
}

static void
test_detach_not_supported (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  VmemMemoryDevice *dimm;

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  dimm = vmem_domain_find_memory_device (domain, "ua-dimm0");
  g_assert_true (VMEM_IS_DIMM (dimm));

  vmem_domain_detach_device_async (domain, "ua-dimm0", VMEM_AFFECT_LIVE, NULL,
                                   store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_false (vmem_domain_detach_device_finish (domain, result, &error));
  assert_test_driver_refused (error);

  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_get_memory_devices (domain)), ==, 2);
  g_assert_true (vmem_domain_find_memory_device (domain, "ua-dimm0") == dimm);
}

typedef struct
{
  GThread *main_thread;
  gint     n_other_thread;     /* atomic */
  gint     finalized;          /* atomic */
} DropLog;

static void
drop_items_changed (GListModel *model,
                    guint       position,
                    guint       removed,
                    guint       added,
                    gpointer    data)
{
  DropLog *log = data;

  if (g_thread_self () != log->main_thread)
    g_atomic_int_inc (&log->n_other_thread);
}

static void
drop_finalized (gpointer  data,
                GObject  *where_the_object_was)
{
  DropLog *log = data;

  g_atomic_int_set (&log->finalized, 1);
}

/* An application that drops a domain as soon as an async call on it
 * finished gets no signal from it on another thread: the threads that do
 * the blocking libvirt calls must not end up with the last reference and
 * tear the domain down there. The connection holds the domain while it is
 * open; closing it lets the domain go, on this thread. */
static void
test_dropped_after_async (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree DropLog *log = g_new0 (DropLog, 1);
  g_autoptr(VmemDimm) dimm = vmem_dimm_new ();

  log->main_thread = g_thread_self ();
  vmem_memory_device_set_size (VMEM_MEMORY_DEVICE (dimm), 256 * MiB);
  vmem_memory_device_set_node (VMEM_MEMORY_DEVICE (dimm), 0);
  open_connection (fixture);

  for (guint i = 0; i < 20; i++)
    {
      VmemDomain *domain = lookup (fixture, FILE_DOMAIN);
      g_autoptr(GAsyncResult) refreshed = NULL;
      g_autoptr(GAsyncResult) attached = NULL;

      if (i == 0)
        {
          g_signal_connect (vmem_domain_get_memory_devices (domain), "items-changed",
                            G_CALLBACK (drop_items_changed), log);
          g_object_weak_ref (G_OBJECT (domain), drop_finalized, log);
        }

      vmem_domain_refresh_async (domain, NULL, store_result, &refreshed);
      WAIT_FOR_RESULT (refreshed);
      g_assert_true (vmem_domain_refresh_finish (domain, refreshed, NULL));
      vmem_domain_attach_device_async (domain, VMEM_MEMORY_DEVICE (dimm), VMEM_AFFECT_LIVE,
                                       NULL, store_result, &attached);
      WAIT_FOR_RESULT (attached);
      g_assert_null (vmem_domain_attach_device_finish (domain, attached, NULL));

      g_clear_object (&refreshed);
      g_clear_object (&attached);
      g_object_unref (domain);
      spin (NULL, 5);
      g_assert_false (g_atomic_int_get (&log->finalized));
    }

  vmem_connection_close (fixture->conn);
  WAIT_UNTIL (NULL, g_atomic_int_get (&log->finalized), 5000);
  g_assert_cmpint (g_atomic_int_get (&log->n_other_thread), ==, 0);
}

static gboolean
record_thread (gpointer data)
{
  g_atomic_pointer_set ((GThread **) data, g_thread_self ());
  return G_SOURCE_REMOVE;
}

/* The application's default main context belongs to the application: with
 * the library's connection open, and so libvirt's event loop running, a
 * source attached there runs only when the application iterates the
 * context, on the application's thread. */
static void
test_default_context_untouched (Fixture       *fixture,
                                gconstpointer  data)
{
  GThread *ran_on = NULL;

  open_connection (fixture);

  g_idle_add (record_thread, &ran_on);
  g_usleep ((gulong) scaled (300) * 1000);
  g_assert_null (g_atomic_pointer_get (&ran_on));

  WAIT_UNTIL (NULL, g_atomic_pointer_get (&ran_on) != NULL, 1000);
  g_assert_true (g_atomic_pointer_get (&ran_on) == (gpointer) g_thread_self ());
}

typedef struct
{
  GArray  *states;
  GThread *thread;
  gboolean other_thread;
} StateLog;

static void
log_state (VmemDomain *domain,
           GParamSpec *pspec,
           gpointer    data)
{
  StateLog *log = data;
  VmemDomainState state = vmem_domain_get_state (domain);

  g_array_append_val (log->states, state);
  if (g_thread_self () != log->thread)
    log->other_thread = TRUE;
}

static VmemDomainState
last_state (StateLog *log)
{
  g_assert_cmpuint (log->states->len, >, 0);
  return g_array_index (log->states, VmemDomainState, log->states->len - 1);
}

/* A plain libvirt connection to test:///default, which shares the driver's
 * state with the library's connection. Opened after the library's, so that
 * the library chose the event loop. */
static virDomainPtr
plain_default_domain (virConnectPtr *conn_out)
{
  virConnectPtr conn = virConnectOpen (DEFAULT_URI);
  virDomainPtr dom;

  g_assert_nonnull (conn);
  dom = virDomainLookupByName (conn, DEFAULT_DOMAIN);
  g_assert_nonnull (dom);
  *conn_out = conn;

  return dom;
}

/* libvirt's lifecycle events become "state" notifications, in order, on
 * the thread and main context the connection was opened in. */
static void
test_lifecycle_events (Fixture       *fixture,
                       gconstpointer  data)
{
  const VmemDomainState expected[] = {
    VMEM_DOMAIN_STATE_PAUSED,
    VMEM_DOMAIN_STATE_RUNNING,
    VMEM_DOMAIN_STATE_SHUTOFF,
    VMEM_DOMAIN_STATE_RUNNING,
  };
  g_autoptr(VmemDomain) domain = NULL;
  StateLog log = { g_array_new (FALSE, FALSE, sizeof (VmemDomainState)), g_thread_self (), FALSE };
  virConnectPtr plain = NULL;
  virDomainPtr dom;

  open_connection (fixture);
  domain = lookup (fixture, DEFAULT_DOMAIN);
  g_assert_cmpint (vmem_domain_get_state (domain), ==, VMEM_DOMAIN_STATE_RUNNING);
  g_signal_connect (domain, "notify::state", G_CALLBACK (log_state), &log);
  dom = plain_default_domain (&plain);

  g_assert_cmpint (virDomainSuspend (dom), ==, 0);
  WAIT_UNTIL (NULL, log.states->len >= 1, 5000);
  g_assert_cmpint (last_state (&log), ==, VMEM_DOMAIN_STATE_PAUSED);
  g_assert_true (vmem_domain_is_active (domain));

  g_assert_cmpint (virDomainResume (dom), ==, 0);
  WAIT_UNTIL (NULL, log.states->len >= 2, 5000);
  g_assert_cmpint (last_state (&log), ==, VMEM_DOMAIN_STATE_RUNNING);

  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  WAIT_UNTIL (NULL, log.states->len >= 3, 5000);
  g_assert_cmpint (last_state (&log), ==, VMEM_DOMAIN_STATE_SHUTOFF);
  g_assert_false (vmem_domain_is_active (domain));

  g_assert_cmpint (virDomainCreate (dom), ==, 0);
  WAIT_UNTIL (NULL, log.states->len >= 4, 5000);
  g_assert_cmpint (last_state (&log), ==, VMEM_DOMAIN_STATE_RUNNING);
  g_assert_true (vmem_domain_is_active (domain));

  /* Nothing more arrives: one notification per change. */
  spin (NULL, scaled (200));
  g_assert_cmpuint (log.states->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (g_array_index (log.states, VmemDomainState, i), ==, expected[i]);
  g_assert_false (log.other_thread);

  g_signal_handlers_disconnect_by_func (domain, log_state, &log);
  virDomainFree (dom);
  g_assert_cmpint (virConnectClose (plain), >=, 0);
  g_array_unref (log.states);
}

typedef struct
{
  GPtrArray *added;        /* of VmemDomain */
  GPtrArray *removed;      /* of VmemDomain */
  GSource   *changed_in;   /* the source that dispatched the last items-changed */
  guint      n_changed;
  gboolean   same_dispatch;
} ModelLog;

static void
log_items_changed (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   gpointer    data)
{
  ModelLog *log = data;

  log->n_changed++;
  log->changed_in = g_main_current_source ();
}

static void
log_domain_added (VmemConnection *conn,
                  VmemDomain     *domain,
                  gpointer        data)
{
  ModelLog *log = data;

  /* The model changed first, in the same dispatch: a handler finds the
   * domain there. */
  log->same_dispatch = log->changed_in != NULL && log->changed_in == g_main_current_source ();
  g_assert_true (g_list_store_find (G_LIST_STORE (vmem_connection_get_domains (conn)), domain, NULL));
  g_ptr_array_add (log->added, g_object_ref (domain));
}

static void
log_domain_removed (VmemConnection *conn,
                    VmemDomain     *domain,
                    gpointer        data)
{
  ModelLog *log = data;

  log->same_dispatch = log->changed_in != NULL && log->changed_in == g_main_current_source ();
  g_assert_false (g_list_store_find (G_LIST_STORE (vmem_connection_get_domains (conn)), domain, NULL));
  g_ptr_array_add (log->removed, g_object_ref (domain));
}

#define EVENTS_DOMAIN "vmem-events"
#define EVENTS_DOMAIN_XML(name) \
  "<domain type='test'>\n" \
  "  <name>" name "</name>\n" \
  "  <maxMemory slots='4' unit='GiB'>8</maxMemory>\n" \
  "  <memory unit='MiB'>1536</memory>\n" \
  "  <vcpu>1</vcpu>\n" \
  "  <os><type arch='x86_64'>hvm</type></os>\n" \
  "  <cpu><numa><cell id='0' cpus='0' memory='1024' unit='MiB'/></numa></cpu>\n" \
  "  <devices><memory model='dimm'><target><size unit='MiB'>512</size><node>0</node></target>" \
  "<alias name='ua-dimm0'/></memory></devices>\n" \
  "</domain>\n"

/* Domains defined, started, destroyed and undefined beside the library,
 * and transient ones created and destroyed, show up in the model, with
 * items-changed and then the connection's signal in the same dispatch;
 * a domain keeps its identity while it changes. */
static void
test_domain_events (Fixture       *fixture,
                    gconstpointer  data)
{
  ModelLog log = { g_ptr_array_new_with_free_func (g_object_unref),
                   g_ptr_array_new_with_free_func (g_object_unref), NULL, 0, FALSE };
  GListModel *domains = vmem_connection_get_domains (fixture->conn);
  StateLog states = { g_array_new (FALSE, FALSE, sizeof (VmemDomainState)), g_thread_self (), FALSE };
  VmemDomain *domain;
  virConnectPtr plain;
  virDomainPtr dom, transient;

  open_connection (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (domains), ==, 1);
  g_signal_connect (domains, "items-changed", G_CALLBACK (log_items_changed), &log);
  g_signal_connect (fixture->conn, "domain-added", G_CALLBACK (log_domain_added), &log);
  g_signal_connect (fixture->conn, "domain-removed", G_CALLBACK (log_domain_removed), &log);
  plain = virConnectOpen (DEFAULT_URI);
  g_assert_nonnull (plain);

  /* Defined. */
  dom = virDomainDefineXML (plain, EVENTS_DOMAIN_XML (EVENTS_DOMAIN));
  g_assert_nonnull (dom);
  WAIT_UNTIL (NULL, log.added->len == 1, 5000);
  g_assert_true (log.same_dispatch);
  g_assert_cmpuint (log.n_changed, ==, 1);
  domain = log.added->pdata[0];
  g_assert_cmpstr (vmem_domain_get_name (domain), ==, EVENTS_DOMAIN);
  g_assert_cmpint (vmem_domain_get_state (domain), ==, VMEM_DOMAIN_STATE_SHUTOFF);
  g_assert_cmpuint (g_list_model_get_n_items (domains), ==, 2);
  g_assert_true (vmem_connection_find_domain (fixture->conn, EVENTS_DOMAIN) == domain);
  /* Read whole: its device and figures are there. */
  g_assert_nonnull (vmem_domain_find_memory_device (domain, "ua-dimm0"));
  g_assert_cmpuint (vmem_memory_usage_get_plugged (vmem_domain_get_memory (domain),
                                                   VMEM_MEMORY_MODEL_DIMM), ==, 512 * MiB);
  g_assert_cmpuint (vmem_domain_get_free_memory_slots (domain), ==, 3);

  /* Started and destroyed: the same object changes; the model does not. */
  g_signal_connect (domain, "notify::state", G_CALLBACK (log_state), &states);
  g_assert_cmpint (virDomainCreate (dom), ==, 0);
  WAIT_UNTIL (NULL, vmem_domain_get_state (domain) == VMEM_DOMAIN_STATE_RUNNING, 5000);
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  WAIT_UNTIL (NULL, vmem_domain_get_state (domain) == VMEM_DOMAIN_STATE_SHUTOFF, 5000);
  spin (NULL, scaled (100));
  g_assert_cmpuint (log.n_changed, ==, 1);
  g_assert_cmpuint (log.added->len, ==, 1);
  g_assert_cmpuint (log.removed->len, ==, 0);
  g_assert_false (states.other_thread);

  /* Undefined: gone from the model. */
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  WAIT_UNTIL (NULL, log.removed->len == 1, 5000);
  g_assert_true (log.same_dispatch);
  g_assert_true (log.removed->pdata[0] == domain);
  g_assert_cmpuint (log.n_changed, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (domains), ==, 1);
  g_assert_null (vmem_connection_find_domain (fixture->conn, EVENTS_DOMAIN));
  virDomainFree (dom);
  g_signal_handlers_disconnect_by_data (domain, &states);

  /* Transient: in the model while it runs. */
  transient = virDomainCreateXML (plain, EVENTS_DOMAIN_XML (EVENTS_DOMAIN "-transient"), 0);
  g_assert_nonnull (transient);
  WAIT_UNTIL (NULL, log.added->len == 2, 5000);
  g_assert_true (log.same_dispatch);
  domain = log.added->pdata[1];
  g_assert_cmpstr (vmem_domain_get_name (domain), ==, EVENTS_DOMAIN "-transient");
  g_assert_cmpint (vmem_domain_get_state (domain), ==, VMEM_DOMAIN_STATE_RUNNING);
  g_assert_cmpint (virDomainDestroy (transient), ==, 0);
  WAIT_UNTIL (NULL, log.removed->len == 2, 5000);
  g_assert_true (log.same_dispatch);
  g_assert_true (log.removed->pdata[1] == domain);
  g_assert_cmpuint (g_list_model_get_n_items (domains), ==, 1);
  g_assert_cmpuint (log.n_changed, ==, 4);
  virDomainFree (transient);

  g_signal_handlers_disconnect_by_data (domains, &log);
  g_signal_handlers_disconnect_by_data (fixture->conn, &log);
  g_assert_cmpint (virConnectClose (plain), >=, 0);
  g_ptr_array_unref (log.added);
  g_ptr_array_unref (log.removed);
  g_array_unref (states.states);
}

/* A connection opened while another GMainContext is the thread-default one
 * delivers its signals there, not on the global default context. */
static void
test_events_context (void)
{
  GMainContext *context = g_main_context_new ();
  g_autoptr(VmemConnection) conn = vmem_connection_new (DEFAULT_URI);
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  StateLog log = { g_array_new (FALSE, FALSE, sizeof (VmemDomainState)), g_thread_self (), FALSE };
  virConnectPtr plain = NULL;
  virDomainPtr dom;

  g_main_context_push_thread_default (context);
  g_assert_true (vmem_connection_open (conn, NULL, &error));
  g_assert_no_error (error);
  g_main_context_pop_thread_default (context);

  domain = vmem_connection_lookup_domain (conn, DEFAULT_DOMAIN, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmem_domain_get_state (domain), ==, VMEM_DOMAIN_STATE_RUNNING);
  g_signal_connect (domain, "notify::state", G_CALLBACK (log_state), &log);
  dom = plain_default_domain (&plain);

  g_assert_cmpint (virDomainSuspend (dom), ==, 0);
  spin (NULL, scaled (500));
  g_assert_cmpuint (log.states->len, ==, 0);
  WAIT_UNTIL (context, log.states->len >= 1, 5000);
  g_assert_cmpint (last_state (&log), ==, VMEM_DOMAIN_STATE_PAUSED);

  g_assert_cmpint (virDomainResume (dom), ==, 0);
  WAIT_UNTIL (context, log.states->len >= 2, 5000);
  g_assert_cmpint (last_state (&log), ==, VMEM_DOMAIN_STATE_RUNNING);
  g_assert_false (log.other_thread);
  g_assert_cmpuint (log.states->len, ==, 2);

  g_signal_handlers_disconnect_by_func (domain, log_state, &log);
  virDomainFree (dom);
  g_assert_cmpint (virConnectClose (plain), >=, 0);
  g_clear_object (&domain);

  vmem_connection_close (conn);
  g_object_add_weak_pointer (G_OBJECT (conn), (gpointer *) &conn);
  g_object_unref (conn);
  WAIT_UNTIL (context, conn == NULL, 5000);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_unref (context);
  g_array_unref (log.states);
}

static void
test_close_and_reopen (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemDomain) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean open = TRUE;

  open_connection (fixture);
  domain = lookup (fixture, FILE_DOMAIN);
  g_assert_cmpuint (fixture->n_open_notify, ==, 1);

  vmem_connection_close (fixture->conn);
  WAIT_UNTIL (NULL, fixture->n_closed >= 1, 5000);
  spin (NULL, 50);
  g_assert_cmpuint (fixture->n_closed, ==, 1);
  g_assert_cmpint (fixture->close_reason, ==, VMEM_CLOSE_REASON_CLIENT);
  g_assert_false (vmem_connection_is_open (fixture->conn));
  g_object_get (fixture->conn, "connected", &open, NULL);
  g_assert_false (open);
  g_assert_cmpuint (fixture->n_open_notify, ==, 2);

  g_assert_null (vmem_connection_lookup_domain (fixture->conn, FILE_DOMAIN, &error));
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_CLOSED);
  g_clear_error (&error);

  vmem_connection_lookup_domain_async (fixture->conn, FILE_DOMAIN, NULL, store_result, &result);
  WAIT_FOR_RESULT (result);
  g_assert_null (vmem_connection_lookup_domain_finish (fixture->conn, result, &error));
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_CLOSED);
  g_clear_error (&error);
  g_clear_object (&result);

  g_assert_cmpuint (g_list_model_get_n_items (vmem_connection_get_domains (fixture->conn)), ==, 0);

  g_assert_false (vmem_domain_refresh (domain, NULL, &error));
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_CLOSED);
  g_clear_error (&error);

  /* The same object opens again. */
  open_connection (fixture);
  g_assert_cmpuint (fixture->n_open_notify, ==, 3);
  g_assert_cmpuint (fixture->n_closed, ==, 1);
  again = lookup (fixture, FILE_DOMAIN);
  /* The domain the application held is the same object again. */
  g_assert_true (again == domain);
  g_assert_cmpstr (vmem_domain_get_uuid (again), ==, FILE_UUID);
  g_assert_cmpint (vmem_domain_get_state (again), ==, VMEM_DOMAIN_STATE_RUNNING);
  assert_file_devices (again, NULL, NULL);
}

/* Domains whose XML, as libvirt writes it, has every memory model with
 * every part the library reads, escaped text in the parts it reads, and
 * namespaced metadata and devices of other kinds in the parts it skips. */
#define READER_DOMAIN_XML(n, mac) \
  "<domain type='test'>\n" \
  "  <name>vmem-reader-" n "</name>\n" \
  "  <uuid>a1b2c3d4-0000-4000-8000-00000000000" n "</uuid>\n" \
  "  <title>A &amp; B &lt;guest&gt;</title>\n" \
  "  <metadata>\n" \
  "    <app:owner xmlns:app='http://example.org/app/1' team='a&apos;b'>x &gt; y</app:owner>\n" \
  "  </metadata>\n" \
  "  <maxMemory slots='16' unit='KiB'>67108864</maxMemory>\n" \
  "  <memory unit='KiB'>11534336</memory>\n" \
  "  <currentMemory unit='KiB'>11534336</currentMemory>\n" \
  "  <vcpu>4</vcpu>\n" \
  "  <os><type arch='x86_64'>hvm</type></os>\n" \
  "  <cpu><numa>\n" \
  "    <cell id='0' cpus='0-1' memory='2097152' unit='KiB'/>\n" \
  "    <cell id='1' cpus='2-3' memory='2097152' unit='KiB'/>\n" \
  "  </numa></cpu>\n" \
  "  <devices>\n" \
  "    <disk type='file' device='disk'>\n" \
  "      <source file='/var/lib/libvirt/images/a&amp;b.qcow2'/>\n" \
  "      <target dev='vda' bus='virtio'/>\n" \
  "    </disk>\n" \
  "    <interface type='network'><mac address='" mac "'/><source network='default'/></interface>\n" \
  "    <memory model='virtio-mem'>\n" \
  "      <source><nodemask>0-1</nodemask><pagesize unit='KiB'>2048</pagesize></source>\n" \
  "      <target><size unit='GiB'>4</size><node>0</node><block unit='KiB'>2048</block>" \
  "<requested unit='GiB'>1</requested></target>\n" \
  "      <alias name='ua-virtiomem0'/>\n" \
  "      <address type='pci' domain='0x0000' bus='0x00' slot='0x08' function='0x0'/>\n" \
  "    </memory>\n" \
  "    <memory model='dimm' discard='yes'>\n" \
  "      <source><pagesize unit='KiB'>2048</pagesize></source>\n" \
  "      <target><size unit='GiB'>1</size><node>1</node></target>\n" \
  "      <alias name='ua-dimm1'/>\n" \
  "      <address type='dimm' slot='1' base='0x140000000'/>\n" \
  "    </memory>\n" \
  "    <memory model='nvdimm' access='shared'>\n" \
  "      <source><path>/var/lib/nvdimm/it&apos;s &amp; é.img</path>" \
  "<alignsize unit='KiB'>2048</alignsize><pmem/></source>\n" \
  "      <target><size unit='KiB'>524288</size><node>0</node>" \
  "<label><size unit='KiB'>128</size></label><readonly/></target>\n" \
  "      <alias name='ua-nvdimm2'/>\n" \
  "      <address type='dimm' slot='2'/>\n" \
  "    </memory>\n" \
  "    <memory model='virtio-pmem' access='shared'>\n" \
  "      <source><path>/var/lib/pmem/" n ".img</path></source>\n" \
  "      <target><size unit='KiB'>524288</size></target>\n" \
  "      <alias name='ua-virtiopmem3'/>\n" \
  "      <address type='pci' domain='0x0000' bus='0x00' slot='0x0b' function='0x0'/>\n" \
  "    </memory>\n" \
  "  </devices>\n" \
  "</domain>\n"

/* The live layer reads libvirt's XML with the reader of libvirt's own
 * output: what it reads must be what the full reader reads from the same
 * XML, device for device, whether the fast reader or its fallback did
 * the reading. */
static void
test_libvirt_reader (void)
{
  static const char xml[] = "<node>\n"
    READER_DOMAIN_XML ("1", "52:54:00:00:00:01")
    READER_DOMAIN_XML ("2", "52:54:00:00:00:02")
    RUNNING_DOMAIN_XML OFF_DOMAIN_XML "</node>\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemConnection) conn = NULL;
  g_autoptr(GListModel) domains = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  virConnectPtr vconn;
  guint n_devices = 0;
  int fd;

  fd = g_file_open_tmp ("vmem-test-reader-XXXXXX.xml", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, xml, -1, &error);
  g_assert_no_error (error);
  uri = g_strconcat ("test://", path, NULL);

  conn = vmem_connection_new (uri);
  vmem_connection_open (conn, NULL, &error);
  g_assert_no_error (error);
  vconn = virConnectOpen (uri);
  g_assert_nonnull (vconn);

  domains = g_object_ref (vmem_connection_get_domains (conn));
  g_assert_cmpuint (g_list_model_get_n_items (domains), ==, 4);

  for (guint i = 0; i < g_list_model_get_n_items (domains); i++)
    {
      g_autoptr(VmemDomain) domain = g_list_model_get_item (domains, i);
      g_autoptr(VmemDomainConfig) live = vmem_domain_dup_config (domain);
      GListModel *devices = vmem_domain_get_memory_devices (domain);
      g_autoptr(VmemDomainConfig) full = NULL;
      GListModel *full_devices;
      virDomainPtr dom;
      char *dom_xml;

      dom = virDomainLookupByName (vconn, vmem_domain_get_name (domain));
      g_assert_nonnull (dom);
      dom_xml = virDomainGetXMLDesc (dom, 0);
      g_assert_nonnull (dom_xml);
      full = vmem_domain_config_new_from_xml (dom_xml, &error);
      g_assert_no_error (error);
      free (dom_xml);
      virDomainFree (dom);

      g_assert_cmpstr (vmem_domain_get_uuid (domain), ==, vmem_domain_config_get_uuid (full));
      g_assert_cmpstr (vmem_domain_config_get_name (live), ==, vmem_domain_config_get_name (full));
      g_assert_cmpstr (vmem_domain_config_get_uuid (live), ==, vmem_domain_config_get_uuid (full));
      g_assert_cmpstr (vmem_domain_config_get_arch (live), ==, vmem_domain_config_get_arch (full));
      g_assert_cmpint (vmem_domain_config_get_id (live), ==, vmem_domain_config_get_id (full));
      g_assert_cmpuint (vmem_domain_config_get_max_memory (live), ==, vmem_domain_config_get_max_memory (full));
      g_assert_cmpuint (vmem_domain_config_get_max_memory_slots (live), ==, vmem_domain_config_get_max_memory_slots (full));
      g_assert_cmpuint (vmem_domain_config_get_memory (live), ==, vmem_domain_config_get_memory (full));
      g_assert_cmpuint (vmem_domain_config_get_current_memory (live), ==, vmem_domain_config_get_current_memory (full));
      g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_config_get_numa_cells (live)), ==,
                        g_list_model_get_n_items (vmem_domain_config_get_numa_cells (full)));

      full_devices = vmem_domain_config_get_memory_devices (full);
      g_assert_cmpuint (g_list_model_get_n_items (devices), ==, g_list_model_get_n_items (full_devices));
      for (guint k = 0; k < g_list_model_get_n_items (devices); k++)
        {
          g_autoptr(VmemMemoryDevice) a = g_list_model_get_item (devices, k);
          g_autoptr(VmemMemoryDevice) b = g_list_model_get_item (full_devices, k);
          g_autofree char *xml_a = vmem_memory_device_to_xml (a);
          g_autofree char *xml_b = vmem_memory_device_to_xml (b);

          g_assert_true (vmem_memory_device_equal (a, b));
          g_assert_cmpstr (xml_a, ==, xml_b);
          n_devices++;
        }
    }

  /* The escaped path was read. */
  {
    g_autoptr(VmemDomain) domain = vmem_connection_lookup_domain (conn, "vmem-reader-1", &error);
    VmemMemoryDevice *nvdimm;

    g_assert_no_error (error);
    nvdimm = vmem_domain_find_memory_device (domain, "ua-nvdimm2");
    g_assert_nonnull (nvdimm);
    g_assert_cmpstr (vmem_memory_device_get_source_path (nvdimm), ==, "/var/lib/nvdimm/it's & é.img");
    g_assert_true (vmem_nvdimm_get_readonly (VMEM_NVDIMM (nvdimm)));
  }

  g_assert_cmpuint (n_devices, ==, 10);
  virConnectClose (vconn);
  vmem_connection_close (conn);
  g_assert_cmpint (g_unlink (path), ==, 0);
}

/* libvirt prints every error on stderr by default; the tests check them as
 * GErrors instead. */
static void
ignore_libvirt_error (void        *data,
                      virErrorPtr  error)
{
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  virSetErrorFunc (NULL, ignore_libvirt_error);

#define ADD(path, kind, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (kind), fixture_set_up, func, fixture_tear_down)

  ADD ("/connection/open/sync/default", URI_DEFAULT, test_open_sync);
  ADD ("/connection/open/sync/file", URI_FILE, test_open_sync);
  ADD ("/connection/open/async/default", URI_DEFAULT, test_open_async);
  ADD ("/connection/open/async/file", URI_FILE, test_open_async);
  g_test_add_func ("/connection/open/bogus-uri", test_open_bogus_uri);
  g_test_add_data_func ("/connection/sigpipe/ignored", GINT_TO_POINTER (FALSE), test_sigpipe);
  g_test_add_data_func ("/connection/sigpipe/own-handler", GINT_TO_POINTER (TRUE), test_sigpipe);
  ADD ("/connection/open/cancelled", URI_DEFAULT, test_open_cancelled);
  ADD ("/connection/calls-cancelled", URI_FILE, test_calls_cancelled);
  ADD ("/connection/domains/default", URI_DEFAULT, test_domains);
  ADD ("/connection/domains/file", URI_FILE, test_domains);
  ADD ("/connection/domains/events", URI_DEFAULT, test_domain_events);
  ADD ("/connection/lookup/default", URI_DEFAULT, test_lookup);
  ADD ("/connection/lookup/file", URI_FILE, test_lookup);
  ADD ("/connection/lookup/not-found", URI_FILE, test_lookup_not_found);
  ADD ("/connection/close-and-reopen", URI_FILE, test_close_and_reopen);
  ADD ("/connection/default-context-untouched", URI_DEFAULT, test_default_context_untouched);
  ADD ("/domain/devices", URI_FILE, test_domain_devices);
  ADD ("/domain/inactive", URI_FILE, test_domain_inactive);
  ADD ("/domain/refresh", URI_FILE, test_domain_refresh);
  ADD ("/domain/figures", URI_FILE, test_domain_figures);
  ADD ("/domain/dup-config", URI_FILE, test_dup_config);
  ADD ("/domain/held-by-connection", URI_FILE, test_device_outlives_domain_ref);
  ADD ("/domain/attach/invalid", URI_FILE, test_attach_invalid);
  ADD ("/domain/attach/not-supported", URI_FILE, test_attach_not_supported);
  ADD ("/domain/attach/no-slot", URI_DEFAULT, test_attach_no_slot);
  ADD ("/domain/detach/not-supported", URI_FILE, test_detach_not_supported);
  ADD ("/domain/dropped-after-async", URI_FILE, test_dropped_after_async);
  ADD ("/domain/lifecycle-events", URI_DEFAULT, test_lifecycle_events);
  g_test_add_func ("/domain/events-context", test_events_context);
  g_test_add_func ("/domain/libvirt-reader", test_libvirt_reader);
  ADD ("/virtio-mem/set-requested-size/live", URI_FILE, test_set_requested_size_live);
  ADD ("/virtio-mem/set-requested-size/orphaned", URI_DEFAULT, test_set_requested_size_orphaned);
  g_test_add_func ("/virtio-mem/set-requested-size/description", test_set_requested_size_description);
  g_test_add_func ("/virtio-mem/requested-size-property", test_requested_size_property);
  ADD ("/device/live-read-only", URI_FILE, test_live_device_read_only);
  g_test_add_func ("/virtio-mem/stall-timeout", test_stall_timeout);

#undef ADD

  return g_test_run ();
}
