/* vmemctl.c: list, resize, watch and hot-plug the memory devices of
 * libvirt domains, from the command line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <vmem.h>

/* Scripts branch on these: keep them stable, and in step with --help and
 * vmemctl(1). */
typedef enum {
  EXIT_OK        = 0,
  EXIT_FAILED    = 1,
  EXIT_USAGE     = 2,
  EXIT_NOT_FOUND = 3,
  EXIT_REFUSED   = 4,
  EXIT_STALLED   = 5,
  EXIT_CANCELLED = 6,
} ExitCode;

#define EXIT_CODES_HELP \
  "Exit status:\n" \
  "  0  success\n" \
  "  1  libvirt or another failure\n" \
  "  2  usage error\n" \
  "  3  no such domain, device alias or NUMA node\n" \
  "  4  refused input: an invalid or unaligned size, one out of range or\n" \
  "     too large, an unsupported memory model\n" \
  "  5  the guest stopped making progress (resize --wait)\n" \
  "  6  interrupted (Ctrl-C) while waiting\n" \
  "With several -c, the status is that of the first host that failed.\n"

/* The width of the progress bar of resize --wait, in cells. */
#define BAR_WIDTH 30

/* The -c options given before the command. */
static char **global_uris;

/* A failure the command printed itself, such as one host's of several:
 * its code is the exit status, and main() prints nothing more. */
#define REPORTED_ERROR (reported_error_quark ())
static G_DEFINE_QUARK (vmemctl-reported-error-quark, reported_error)

/* Every failure goes through here: the code a script sees depends only on
 * what went wrong, whichever command it was. */
static ExitCode
exit_code_for_error (const GError *error)
{
  if (error->domain == REPORTED_ERROR)
    return (ExitCode) error->code;

  if (error->domain == G_OPTION_ERROR)
    return EXIT_USAGE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return EXIT_CANCELLED;

  if (error->domain == VMEM_ERROR)
    {
      switch ((VmemError) error->code)
        {
        case VMEM_ERROR_NOT_FOUND:
          return EXIT_NOT_FOUND;
        case VMEM_ERROR_INVALID_SIZE:
        case VMEM_ERROR_NOT_ALIGNED:
        case VMEM_ERROR_OUT_OF_RANGE:
        case VMEM_ERROR_OVERFLOW:
        case VMEM_ERROR_UNSUPPORTED_MODEL:
          return EXIT_REFUSED;
        case VMEM_ERROR_STALLED:
          return EXIT_STALLED;
        case VMEM_ERROR_FAILED:
        case VMEM_ERROR_INVALID_XML:
        case VMEM_ERROR_INVALID_CONFIG:
        case VMEM_ERROR_NOT_SUPPORTED:
        case VMEM_ERROR_LIBVIRT:
        case VMEM_ERROR_NOT_RUNNING:
        case VMEM_ERROR_BUSY:
        case VMEM_ERROR_CLOSED:
        case VMEM_ERROR_AUTH_FAILED:
        default:
          return EXIT_FAILED;
        }
    }

  return EXIT_FAILED;
}

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                                format, args));
  va_end (args);
  return FALSE;
}

static const char *
enum_nick (GType type,
           int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);

  /* Enum classes of static types are never finalized: the nick stays. */
  g_type_class_unref (klass);
  return enum_value != NULL ? enum_value->value_nick : "unknown";
}

static const char *
model_name (VmemMemoryDevice *device)
{
  return enum_nick (VMEM_TYPE_MEMORY_MODEL, vmem_memory_device_get_model (device));
}

static VmemAffectFlags
affect_flags (gboolean live,
              gboolean config)
{
  return (live ? VMEM_AFFECT_LIVE : 0) | (config ? VMEM_AFFECT_CONFIG : 0);
}

/* An open connection lives until it is closed: the commands close theirs
 * as they let it go. */
typedef VmemConnection OpenConnection;

static void
open_connection_free (OpenConnection *connection)
{
  vmem_connection_close (connection);
  g_object_unref (connection);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpenConnection, open_connection_free)

static gboolean
add_uris (GStrvBuilder  *builder,
          char         **uris)
{
  gboolean added = FALSE;

  for (guint i = 0; uris != NULL && uris[i] != NULL; i++)
    if (*uris[i] != '\0')
      {
        g_strv_builder_add (builder, uris[i]);
        added = TRUE;
      }

  return added;
}

/* The URIs a command works on: the -c options after the command win over
 * those before it, which win over $VMEM_URI. None stands for libvirt's own
 * default. An empty URI counts as not given, as an empty $VMEM_URI does. */
static GStrv
connection_uris (char **uris)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *env_uri = g_getenv ("VMEM_URI");

  if (!add_uris (builder, uris) && !add_uris (builder, global_uris) &&
      env_uri != NULL && *env_uri != '\0')
    g_strv_builder_add (builder, env_uri);

  return g_strv_builder_end (builder);
}

/* resize, attach and detach change one domain, which a name alone does
 * not pick out of several hosts: they take one connection. The URI is
 * NULL for libvirt's default. */
static gboolean
one_uri (char    **uris,
         char    **uri,
         GError  **error)
{
  g_auto(GStrv) resolved = connection_uris (uris);
  guint n = g_strv_length (resolved);

  if (n > 1)
    return usage_error (error, "One connection only, and %u URIs were given: "
                        "several -c are for list, info and watch", n);

  *uri = g_strdup (resolved[0]);
  return TRUE;
}

static VmemConnection *
open_connection (const char  *uri,
                 GError     **error)
{
  g_autoptr(OpenConnection) connection = vmem_connection_new (uri);

  if (!vmem_connection_open (connection, NULL, error))
    return NULL;

  return g_steal_pointer (&connection);
}

static int
compare_domains (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_strcmp0 (vmem_domain_get_name ((VmemDomain *) a),
                    vmem_domain_get_name ((VmemDomain *) b));
}

/* One domain, or all of them by name, so that output is stable. */
static GListModel *
get_domains (VmemConnection  *connection,
             const char      *name,
             GError         **error)
{
  g_autoptr(GListStore) store = g_list_store_new (VMEM_TYPE_DOMAIN);

  if (name != NULL)
    {
      g_autoptr(VmemDomain) domain = vmem_connection_lookup_domain (connection, name, error);

      if (domain == NULL)
        return NULL;
      g_list_store_append (store, domain);
    }
  else
    {
      GListModel *domains = vmem_connection_get_domains (connection);
      guint n = g_list_model_get_n_items (domains);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(VmemDomain) domain = g_list_model_get_item (domains, i);

          g_list_store_append (store, domain);
        }
      g_list_store_sort (store, compare_domains, NULL);
    }

  return G_LIST_MODEL (g_steal_pointer (&store));
}

/* Several hosts: list, info and watch take a -c per host, and open them
 * all at once, so that the slowest host sets the pace rather than the sum
 * of them. */

typedef struct _Hosts Hosts;

typedef struct
{
  Hosts          *hosts;
  char           *uri;          /* NULL: libvirt's default */
  char           *name;         /* HOST; NULL for libvirt's default too */
  VmemConnection *connection;   /* closed as the host goes */
  GListModel     *domains;      /* of VmemDomain, by name; NULL on failure */
  GError         *error;
} Host;

struct _Hosts
{
  const char *command;      /* for messages */
  const char *domain_name;  /* the one domain asked for, or NULL */
  GPtrArray  *hosts;        /* of Host, in the order of the -c options */
  gboolean    several;      /* HOST columns and host-prefixed messages */
  ExitCode    status;       /* of the first failure reported */
  GMainLoop  *loop;         /* while the connections open */
  guint       pending;
};

/* What HOST shows: the URI's host, with its port if it has one; for a
 * local URI, the URI without its query, which names a socket or other
 * parameters rather than a host. An alias from libvirt's configuration is
 * no URI, and names itself. */
static char *
host_name (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);
  const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;
  int port;

  if (host == NULL || *host == '\0')
    return g_strndup (uri, strcspn (uri, "?"));

  port = g_uri_get_port (parsed);
  if (port < 0)
    return g_strdup (host);
  /* An IPv6 address keeps its brackets, or the port would run into it. */
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%d", host, port);
  return g_strdup_printf ("%s:%d", host, port);
}

/* The HOST of each URI. Two hosts that look the same, such as one over
 * SSH and one over TLS, show their whole URIs instead. */
static GStrv
host_names (char **uris)
{
  guint n = g_strv_length (uris);
  g_auto(GStrv) short_names = g_new0 (char *, n + 1);
  GStrv names = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    short_names[i] = host_name (uris[i]);

  for (guint i = 0; i < n; i++)
    {
      gboolean shared = FALSE;

      for (guint j = 0; j < n && !shared; j++)
        shared = j != i && strcmp (short_names[j], short_names[i]) == 0;
      names[i] = g_strdup (shared ? uris[i] : short_names[i]);
    }

  return names;
}

static void
host_free (Host *host)
{
  g_clear_object (&host->domains);
  if (host->connection != NULL)
    open_connection_free (host->connection);
  g_clear_error (&host->error);
  g_free (host->uri);
  g_free (host->name);
  g_free (host);
}

static void
hosts_free (Hosts *hosts)
{
  g_ptr_array_unref (hosts->hosts);
  g_free (hosts);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Hosts, hosts_free)

/* One host's failure, when there are several: printed at once, and the
 * first one's is the exit status. */
static void
hosts_report (Hosts        *hosts,
              Host         *host,
              const GError *error)
{
  fprintf (stderr, "vmemctl: %s: %s: %s\n", hosts->command, host->name, error->message);
  fflush (stderr);
  if (hosts->status == EXIT_OK)
    hosts->status = exit_code_for_error (error);
}

/* The command's end, once it printed what the hosts had. */
static gboolean
hosts_check (Hosts   *hosts,
             GError **error)
{
  if (hosts->status == EXIT_OK)
    return TRUE;

  g_set_error_literal (error, REPORTED_ERROR, hosts->status, "Reported host by host");
  return FALSE;
}

static void
host_opened (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Host *host = user_data;
  Hosts *hosts = host->hosts;

  /* Mostly what the open read; a domain named that libvirt's events have
   * not brought yet is looked up while the other hosts still open. */
  if (vmem_connection_open_finish (host->connection, result, &host->error))
    host->domains = get_domains (host->connection, hosts->domain_name, &host->error);

  if (--hosts->pending == 0)
    g_main_loop_quit (hosts->loop);
}

/* Opens a connection to each URI, all at once, and gets each host's
 * domains: every one, or the one named. With one host its failure is the
 * command's, as when there was no other. With several, a host that fails
 * is reported and has no domains, and the others go on; a domain named is
 * only missing when no host has it. */
static Hosts *
hosts_open (const char  *command,
            char       **uris,
            const char  *domain_name,
            GError     **error)
{
  g_auto(GStrv) resolved = connection_uris (uris);
  g_auto(GStrv) names = host_names (resolved);
  g_autoptr(Hosts) hosts = g_new0 (Hosts, 1);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint n = MAX (g_strv_length (resolved), 1);
  gboolean found = FALSE;

  hosts->command = command;
  hosts->domain_name = domain_name;
  hosts->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) host_free);
  hosts->several = n > 1;

  for (guint i = 0; i < n; i++)
    {
      Host *host = g_new0 (Host, 1);

      host->hosts = hosts;
      /* Both NULL without any URI. */
      host->uri = g_strdup (resolved[i]);
      host->name = g_strdup (names[i]);
      host->connection = vmem_connection_new (host->uri);
      g_ptr_array_add (hosts->hosts, host);
    }

  hosts->loop = loop;
  hosts->pending = n;
  for (guint i = 0; i < n; i++)
    {
      Host *host = hosts->hosts->pdata[i];

      vmem_connection_open_async (host->connection, NULL, host_opened, host);
    }
  g_main_loop_run (loop);
  hosts->loop = NULL;

  if (!hosts->several)
    {
      Host *host = hosts->hosts->pdata[0];

      if (host->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&host->error));
          return NULL;
        }
      return g_steal_pointer (&hosts);
    }

  for (guint i = 0; i < n; i++)
    found |= ((Host *) hosts->hosts->pdata[i])->domains != NULL;

  for (guint i = 0; i < n; i++)
    {
      Host *host = hosts->hosts->pdata[i];

      /* A host without the domain named is no failure when another has
       * it: a domain runs on one host. */
      if (found && vmem_connection_is_open (host->connection) &&
          g_error_matches (host->error, VMEM_ERROR, VMEM_ERROR_NOT_FOUND))
        g_clear_error (&host->error);
      if (host->error != NULL)
        hosts_report (hosts, host, host->error);
    }

  return g_steal_pointer (&hosts);
}

static char *
size_or_dash (guint64  bytes,
              gboolean known)
{
  return known ? vmem_size_format (bytes) : g_strdup ("-");
}

/* JSON numbers in json-glib are signed; no libvirt size comes near 2^63
 * bytes, but a wrong number would be worse than an inexact one. */
static void
json_add_size (JsonBuilder *builder,
               const char  *name,
               guint64      bytes)
{
  json_builder_set_member_name (builder, name);
  if (bytes <= G_MAXINT64)
    json_builder_add_int_value (builder, (gint64) bytes);
  else
    json_builder_add_double_value (builder, (double) bytes);
}

static void
json_add_string_or_null (JsonBuilder *builder,
                         const char  *name,
                         const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* Every object of --json names its host, one or several, so that scripts
 * read one shape; null when libvirt chose the URI. */
static void
json_add_host (JsonBuilder *builder,
               Host        *host)
{
  json_add_string_or_null (builder, "host", host->name);
}

static void
json_print (JsonBuilder *builder,
            gboolean     pretty)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

/* A device's fields as list and info show them; "current" is what libvirt
 * reports for a running domain only. */
static void
json_add_device (JsonBuilder      *builder,
                 VmemDomain       *domain,
                 VmemMemoryDevice *device)
{
  int node = vmem_memory_device_get_node (device);

  json_builder_begin_object (builder);
  json_add_string_or_null (builder, "alias", vmem_memory_device_get_alias (device));
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model_name (device));
  json_builder_set_member_name (builder, "node");
  if (node >= 0)
    json_builder_add_int_value (builder, node);
  else
    json_builder_add_null_value (builder);
  json_add_size (builder, "size", vmem_memory_device_get_size (device));

  if (VMEM_IS_VIRTIO_MEM (device))
    {
      VmemVirtioMem *virtio_mem = VMEM_VIRTIO_MEM (device);

      json_add_size (builder, "block", vmem_virtio_mem_get_block_size (virtio_mem));
      json_add_size (builder, "requested", vmem_virtio_mem_get_requested_size (virtio_mem));
      if (vmem_domain_is_active (domain))
        json_add_size (builder, "current", vmem_virtio_mem_get_current_size (virtio_mem));
      else
        {
          json_builder_set_member_name (builder, "current");
          json_builder_add_null_value (builder);
        }
    }
  else
    {
      json_builder_set_member_name (builder, "block");
      json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "requested");
      json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "current");
      json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);
}

/* A table of left-aligned text and right-aligned numbers. With several
 * hosts a HOST column comes first; with one the table is as it always
 * was. */
typedef struct
{
  gboolean   host_column;
  guint      n_columns;       /* HOST included */
  guint64    right_aligned;   /* a bit per column */
  GPtrArray *rows;            /* of GStrv */
} Table;

/* right_aligned has a bit per column titled, HOST left out. */
static Table *
table_new (gboolean host_column,
           guint64  right_aligned,
           ...)
{
  Table *table = g_new0 (Table, 1);
  GStrvBuilder *header = g_strv_builder_new ();
  const char *title;
  va_list args;

  if (host_column)
    {
      g_strv_builder_add (header, "HOST");
      table->n_columns++;
    }

  va_start (args, right_aligned);
  while ((title = va_arg (args, const char *)) != NULL)
    {
      g_strv_builder_add (header, title);
      table->n_columns++;
    }
  va_end (args);

  table->host_column = host_column;
  table->right_aligned = host_column ? right_aligned << 1 : right_aligned;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (table->rows, g_strv_builder_end (header));
  g_strv_builder_unref (header);
  return table;
}

/* Takes the cells that follow the host, which are newly allocated
 * strings, one per column titled; the host is left out without a HOST
 * column. */
static void
table_add (Table      *table,
           const char *host,
           ...)
{
  char **row = g_new0 (char *, table->n_columns + 1);
  guint i = 0;
  va_list args;

  if (table->host_column)
    row[i++] = g_strdup (host);

  va_start (args, host);
  for (; i < table->n_columns; i++)
    row[i] = va_arg (args, char *);
  va_end (args);

  g_ptr_array_add (table->rows, row);
}

static void
table_print (Table *table)
{
  g_autofree glong *widths = g_new0 (glong, table->n_columns);

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = table->rows->pdata[r];

      for (guint c = 0; c < table->n_columns; c++)
        widths[c] = MAX (widths[c], g_utf8_strlen (row[c], -1));
    }

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = table->rows->pdata[r];
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < table->n_columns; c++)
        {
          glong pad = widths[c] - g_utf8_strlen (row[c], -1);
          gboolean last = c + 1 == table->n_columns;

          if (c > 0)
            g_string_append (line, "  ");
          if (table->right_aligned & (G_GUINT64_CONSTANT (1) << c))
            {
              for (glong i = 0; i < pad; i++)
                g_string_append_c (line, ' ');
              g_string_append (line, row[c]);
            }
          else
            {
              g_string_append (line, row[c]);
              for (glong i = 0; !last && i < pad; i++)
                g_string_append_c (line, ' ');
            }
        }
      printf ("%s\n", line->str);
    }
}

static void
table_free (Table *table)
{
  g_ptr_array_unref (table->rows);
  g_free (table);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

/* Ctrl-C (and a polite kill) while waiting: the commands decide what it
 * means, through the cancellable or the loop. */
typedef struct
{
  guint sigint_id;
  guint sigterm_id;
} Interrupt;

static void
interrupt_watch (Interrupt   *interrupt,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  interrupt->sigint_id = g_unix_signal_add (SIGINT, callback, user_data);
  interrupt->sigterm_id = g_unix_signal_add (SIGTERM, callback, user_data);
}

static void
interrupt_unwatch (Interrupt *interrupt)
{
  g_clear_handle_id (&interrupt->sigint_id, g_source_remove);
  g_clear_handle_id (&interrupt->sigterm_id, g_source_remove);
}

static gboolean
cancel_on_signal (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

/* Options and parsing. */

/* Parses a command's options; argv[0] is the command's name. Positional
 * arguments are left in argv. */
static gboolean
parse_command_line (const char     *name,
                    const char     *parameters,
                    const char     *summary,
                    GOptionEntry   *entries,
                    int            *argc,
                    char         ***argv,
                    GError        **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *prgname = g_strdup_printf ("vmemctl %s", name);

  /* --help prints "Usage: vmemctl COMMAND [OPTION…] ...". */
  g_set_prgname (prgname);
  context = g_option_context_new (parameters);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, EXIT_CODES_HELP);
  g_option_context_add_main_entries (context, entries, NULL);

  return g_option_context_parse (context, argc, argv, error);
}

static gboolean
check_positionals (int      argc,
                   int      min,
                   int      max,
                   GError **error)
{
  /* argv[0] is the command. */
  if (argc - 1 < min)
    return usage_error (error, "Missing argument");
  if (argc - 1 > max)
    return usage_error (error, "Unexpected argument");
  return TRUE;
}

/* A string array for every command, so that one_uri() can say what is
 * wrong with several rather than keep the last. */
#define CONNECT_ENTRY(variable) \
  { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &(variable), \
    "libvirt URI (default: $VMEM_URI, else libvirt's default)", "URI" }

/* list, info and watch. */
#define CONNECT_HOSTS_ENTRY(variable) \
  { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &(variable), \
    "libvirt URI; repeat it for several hosts (default: $VMEM_URI, else libvirt's default)", "URI" }

/* list */

static gboolean
cmd_list (int      argc,
          char   **argv,
          GError **error)
{
  g_auto(GStrv) uris = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    CONNECT_HOSTS_ENTRY (uris),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON: an array of domains with their devices", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(Hosts) hosts = NULL;

  if (!parse_command_line ("list", "[DOMAIN]",
                           "Lists the memory devices of every domain, or of one. With several -c, "
                           "those of every host, with a HOST column first.",
                           entries, &argc, &argv, error) ||
      !check_positionals (argc, 0, 1, error))
    return FALSE;

  hosts = hosts_open ("list", uris, argc > 1 ? argv[1] : NULL, error);
  if (hosts == NULL)
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint h = 0; h < hosts->hosts->len; h++)
        {
          Host *host = hosts->hosts->pdata[h];
          guint n_domains = host->domains != NULL ? g_list_model_get_n_items (host->domains) : 0;

          for (guint i = 0; i < n_domains; i++)
            {
              g_autoptr(VmemDomain) domain = g_list_model_get_item (host->domains, i);
              GListModel *devices = vmem_domain_get_memory_devices (domain);
              guint n_devices = g_list_model_get_n_items (devices);

              json_builder_begin_object (builder);
              json_add_host (builder, host);
              json_builder_set_member_name (builder, "domain");
              json_builder_add_string_value (builder, vmem_domain_get_name (domain));
              json_builder_set_member_name (builder, "uuid");
              json_builder_add_string_value (builder, vmem_domain_get_uuid (domain));
              json_builder_set_member_name (builder, "state");
              json_builder_add_string_value (builder, enum_nick (VMEM_TYPE_DOMAIN_STATE,
                                                                 vmem_domain_get_state (domain)));
              json_builder_set_member_name (builder, "devices");
              json_builder_begin_array (builder);
              for (guint j = 0; j < n_devices; j++)
                {
                  g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, j);

                  json_add_device (builder, domain, device);
                }
              json_builder_end_array (builder);
              json_builder_end_object (builder);
            }
        }
      json_builder_end_array (builder);
      json_print (builder, TRUE);
    }
  else
    {
      /* NODE and the sizes are right-aligned. */
      g_autoptr(Table) table = table_new (hosts->several, 0xf8, "DOMAIN", "ALIAS", "MODEL", "NODE",
                                          "SIZE", "BLOCK", "REQUESTED", "CURRENT", NULL);

      for (guint h = 0; h < hosts->hosts->len; h++)
        {
          Host *host = hosts->hosts->pdata[h];
          guint n_domains = host->domains != NULL ? g_list_model_get_n_items (host->domains) : 0;

          for (guint i = 0; i < n_domains; i++)
            {
              g_autoptr(VmemDomain) domain = g_list_model_get_item (host->domains, i);
              GListModel *devices = vmem_domain_get_memory_devices (domain);
              guint n_devices = g_list_model_get_n_items (devices);
              gboolean active = vmem_domain_is_active (domain);

              for (guint j = 0; j < n_devices; j++)
                {
                  g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, j);
                  const char *alias = vmem_memory_device_get_alias (device);
                  int node = vmem_memory_device_get_node (device);
                  VmemVirtioMem *virtio_mem = VMEM_IS_VIRTIO_MEM (device) ? VMEM_VIRTIO_MEM (device) : NULL;

                  table_add (table, host->name,
                             g_strdup (vmem_domain_get_name (domain)),
                             g_strdup (alias != NULL ? alias : "-"),
                             g_strdup (model_name (device)),
                             node >= 0 ? g_strdup_printf ("%d", node) : g_strdup ("-"),
                             vmem_size_format (vmem_memory_device_get_size (device)),
                             size_or_dash (virtio_mem ? vmem_virtio_mem_get_block_size (virtio_mem) : 0,
                                           virtio_mem != NULL),
                             size_or_dash (virtio_mem ? vmem_virtio_mem_get_requested_size (virtio_mem) : 0,
                                           virtio_mem != NULL),
                             size_or_dash (virtio_mem ? vmem_virtio_mem_get_current_size (virtio_mem) : 0,
                                           virtio_mem != NULL && active));
                }
            }
        }
      table_print (table);
    }

  return hosts_check (hosts, error);
}

/* info */

static void
json_add_devices (JsonBuilder *builder,
                  VmemDomain  *domain,
                  GPtrArray   *devices)
{
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < devices->len; i++)
    json_add_device (builder, domain, devices->pdata[i]);
  json_builder_end_array (builder);
}

static void
print_info_devices (VmemDomain *domain,
                    GPtrArray  *devices)
{
  int alias_width = 1;

  for (guint i = 0; i < devices->len; i++)
    {
      const char *alias = vmem_memory_device_get_alias (devices->pdata[i]);

      if (alias != NULL)
        alias_width = MAX (alias_width, (int) strlen (alias));
    }

  for (guint i = 0; i < devices->len; i++)
    {
      VmemMemoryDevice *device = devices->pdata[i];
      const char *alias = vmem_memory_device_get_alias (device);
      g_autofree char *size = vmem_size_format (vmem_memory_device_get_size (device));

      printf ("  %-*s  %-11s  maximum %s", alias_width, alias != NULL ? alias : "-",
              model_name (device), size);
      if (VMEM_IS_VIRTIO_MEM (device))
        {
          VmemVirtioMem *virtio_mem = VMEM_VIRTIO_MEM (device);
          g_autofree char *requested = vmem_size_format (vmem_virtio_mem_get_requested_size (virtio_mem));
          g_autofree char *current = size_or_dash (vmem_virtio_mem_get_current_size (virtio_mem),
                                                   vmem_domain_is_active (domain));

          printf (", requested %s, current %s", requested, current);
        }
      printf ("\n");
    }
}

static void
json_add_usage (JsonBuilder     *builder,
                VmemMemoryUsage *usage)
{
  json_add_size (builder, "memory", vmem_memory_usage_get_base (usage));
  json_add_size (builder, "total", vmem_memory_usage_get_total (usage));
  json_builder_set_member_name (builder, "plugged");
  json_builder_begin_object (builder);
  for (VmemMemoryModel model = VMEM_MEMORY_MODEL_DIMM; model <= VMEM_MEMORY_MODEL_SGX_EPC; model++)
    json_add_size (builder, enum_nick (VMEM_TYPE_MEMORY_MODEL, model),
                   vmem_memory_usage_get_plugged (usage, model));
  json_builder_end_object (builder);
  json_add_size (builder, "virtio_mem_requested", vmem_memory_usage_get_virtio_mem_requested (usage));
  json_add_size (builder, "virtio_mem_maximum", vmem_memory_usage_get_virtio_mem_maximum (usage));
}

/* The memory of the devices, whole: what libvirt counts under maxMemory. */
static guint64
devices_size (VmemMemoryUsage *usage)
{
  return vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_DIMM) +
         vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_NVDIMM) +
         vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_VIRTIO_PMEM) +
         vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_SGX_EPC) +
         vmem_memory_usage_get_virtio_mem_maximum (usage);
}

static void
print_usage (VmemMemoryUsage *usage)
{
  g_autofree char *total = vmem_size_format (vmem_memory_usage_get_total (usage));
  g_autofree char *plugged = vmem_size_format (vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_VIRTIO_MEM));
  g_autofree char *requested = vmem_size_format (vmem_memory_usage_get_virtio_mem_requested (usage));
  g_autofree char *maximum = vmem_size_format (vmem_memory_usage_get_virtio_mem_maximum (usage));

  printf ("  RAM %s; virtio-mem plugged %s, requested %s, maximum %s\n",
          total, plugged, requested, maximum);
}

/* One domain's info: to builder as an object, or without one as text,
 * with a line for the host when there are several. */
static void
show_info (VmemDomain  *domain,
           Host        *host,
           gboolean     host_line,
           JsonBuilder *builder)
{
  g_autoptr(VmemDomainConfig) config = NULL;
  g_autoptr(GPtrArray) by_node = NULL;      /* of GPtrArray of devices, per node */
  g_autoptr(GPtrArray) without_node = NULL;
  VmemMemoryUsage *memory;
  GListModel *nodes, *cells, *devices;
  guint n_nodes, n_devices, slots, free_slots;
  guint64 max_memory;

  /* The figures are the library's; the NUMA cells' CPUs come from the
   * XML they were read from. */
  memory = vmem_domain_get_memory (domain);
  nodes = vmem_domain_get_numa_nodes (domain);
  devices = vmem_domain_get_memory_devices (domain);
  config = vmem_domain_dup_config (domain);
  cells = vmem_domain_config_get_numa_cells (config);
  n_nodes = g_list_model_get_n_items (nodes);
  n_devices = g_list_model_get_n_items (devices);
  max_memory = vmem_domain_get_max_memory (domain);
  slots = vmem_domain_get_memory_slots (domain);
  free_slots = vmem_domain_get_free_memory_slots (domain);

  /* The devices, listed under their node. */
  by_node = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < n_nodes; i++)
    g_ptr_array_add (by_node, g_ptr_array_new_with_free_func (g_object_unref));
  without_node = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_devices; i++)
    {
      VmemMemoryDevice *device = g_list_model_get_item (devices, i);
      int node = vmem_memory_device_get_node (device);
      gboolean placed = FALSE;

      for (guint c = 0; node >= 0 && c < n_nodes && !placed; c++)
        {
          g_autoptr(VmemMemoryUsage) usage = g_list_model_get_item (nodes, c);

          if (vmem_memory_usage_get_node (usage) == node)
            {
              g_ptr_array_add (by_node->pdata[c], device);
              placed = TRUE;
            }
        }
      if (!placed)
        g_ptr_array_add (without_node, device);
    }

  if (builder != NULL)
    {
      json_builder_begin_object (builder);
      json_add_host (builder, host);
      json_builder_set_member_name (builder, "domain");
      json_builder_add_string_value (builder, vmem_domain_get_name (domain));
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, enum_nick (VMEM_TYPE_DOMAIN_STATE,
                                                         vmem_domain_get_state (domain)));
      json_add_size (builder, "max_memory", max_memory);
      json_add_size (builder, "base_memory", vmem_memory_usage_get_base (memory));
      json_add_size (builder, "devices_size", devices_size (memory));
      json_add_size (builder, "ram", vmem_memory_usage_get_total (memory));
      if (max_memory != 0)
        json_add_size (builder, "headroom", vmem_domain_get_hotplug_headroom (domain));
      else
        {
          json_builder_set_member_name (builder, "headroom");
          json_builder_add_null_value (builder);
        }
      json_builder_set_member_name (builder, "slots");
      json_builder_add_int_value (builder, slots);
      json_builder_set_member_name (builder, "slots_used");
      json_builder_add_int_value (builder, slots - free_slots);
      json_builder_set_member_name (builder, "slots_free");
      json_builder_add_int_value (builder, free_slots);

      json_builder_set_member_name (builder, "nodes");
      json_builder_begin_array (builder);
      for (guint c = 0; c < n_nodes; c++)
        {
          g_autoptr(VmemMemoryUsage) usage = g_list_model_get_item (nodes, c);
          g_autoptr(VmemNumaCell) cell = g_list_model_get_item (cells, c);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, vmem_memory_usage_get_node (usage));
          json_add_string_or_null (builder, "cpus", cell != NULL ? vmem_numa_cell_get_cpus (cell) : NULL);
          json_add_usage (builder, usage);
          json_add_devices (builder, domain, by_node->pdata[c]);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);

      json_builder_set_member_name (builder, "other");
      json_builder_begin_object (builder);
      json_add_devices (builder, domain, without_node);
      json_builder_end_object (builder);

      json_builder_end_object (builder);
      return;
    }

  {
    g_autofree char *max_text = vmem_size_format (max_memory);
    g_autofree char *base_text = vmem_size_format (vmem_memory_usage_get_base (memory));
    g_autofree char *devices_text = vmem_size_format (devices_size (memory));
    g_autofree char *headroom_text = vmem_size_format (vmem_domain_get_hotplug_headroom (domain));

    if (host_line)
      printf ("host:          %s\n", host->name);
    printf ("domain:        %s (%s)\n", vmem_domain_get_name (domain),
            enum_nick (VMEM_TYPE_DOMAIN_STATE, vmem_domain_get_state (domain)));
    printf ("base memory:   %s\n", base_text);
    printf ("devices:       %s in %u device%s\n", devices_text, n_devices, n_devices == 1 ? "" : "s");
    if (max_memory != 0)
      {
        printf ("max memory:    %s\n", max_text);
        printf ("headroom:      %s (max memory - base memory - devices)\n", headroom_text);
      }
    else
      printf ("max memory:    none: memory hot-plug is off\n");
    printf ("slots:         %u: %u used, %u free\n",
            slots, slots - free_slots, free_slots);
    print_usage (memory);

    for (guint c = 0; c < n_nodes; c++)
      {
        g_autoptr(VmemMemoryUsage) usage = g_list_model_get_item (nodes, c);
        g_autoptr(VmemNumaCell) cell = g_list_model_get_item (cells, c);
        g_autofree char *base = vmem_size_format (vmem_memory_usage_get_base (usage));
        const char *cpus = cell != NULL ? vmem_numa_cell_get_cpus (cell) : NULL;

        printf ("\nnode %d: base memory %s, cpus %s\n", vmem_memory_usage_get_node (usage), base,
                cpus != NULL ? cpus : "-");
        print_usage (usage);
        print_info_devices (domain, by_node->pdata[c]);
      }

    if (without_node->len > 0)
      {
        printf ("\n%s:\n", n_nodes > 0 ? "on no NUMA node" : "devices");
        print_info_devices (domain, without_node);
      }
  }
}

static gboolean
cmd_info (int      argc,
          char   **argv,
          GError **error)
{
  g_auto(GStrv) uris = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    CONNECT_HOSTS_ENTRY (uris),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON; an array of them with several -c", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(Hosts) hosts = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  guint shown = 0;

  if (!parse_command_line ("info", "DOMAIN",
                           "Shows a domain's memory per guest NUMA node, its memory slots and the room left to hot-plug memory. "
                           "With several -c, on every host that has the domain, each after a host line.",
                           entries, &argc, &argv, error) ||
      !check_positionals (argc, 1, 1, error))
    return FALSE;

  hosts = hosts_open ("info", uris, argv[1], error);
  if (hosts == NULL)
    return FALSE;

  /* With several -c, as many objects as hosts that have the domain, and
   * an array even when only one has it: its shape follows from the
   * command line alone. */
  if (json)
    {
      builder = json_builder_new ();
      if (hosts->several)
        json_builder_begin_array (builder);
    }

  for (guint h = 0; h < hosts->hosts->len; h++)
    {
      Host *host = hosts->hosts->pdata[h];
      g_autoptr(VmemDomain) domain = NULL;

      if (host->domains == NULL)
        continue;

      domain = g_list_model_get_item (host->domains, 0);
      if (!json && shown++ > 0)
        printf ("\n");
      show_info (domain, host, hosts->several, builder);
    }

  if (json)
    {
      if (hosts->several)
        json_builder_end_array (builder);
      json_print (builder, TRUE);
    }

  return hosts_check (hosts, error);
}

/* resize */

static VmemVirtioMem *
find_virtio_mem (VmemDomain  *domain,
                 const char  *alias,
                 int          node,
                 GError     **error)
{
  const char *name = vmem_domain_get_name (domain);
  GListModel *devices = vmem_domain_get_memory_devices (domain);
  guint n = g_list_model_get_n_items (devices);
  VmemMemoryDevice *found = NULL;
  guint n_found = 0;

  if (alias != NULL)
    {
      found = vmem_domain_find_memory_device (domain, alias);
      if (found == NULL)
        {
          g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_FOUND,
                       "Domain '%s' has no memory device '%s'", name, alias);
          return NULL;
        }
      if (!VMEM_IS_VIRTIO_MEM (found))
        {
          g_set_error (error, VMEM_ERROR, VMEM_ERROR_UNSUPPORTED_MODEL,
                       "'%s' is a %s device: only virtio-mem devices can be resized",
                       alias, model_name (found));
          return NULL;
        }
      return g_object_ref (VMEM_VIRTIO_MEM (found));
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, i);

      if (VMEM_IS_VIRTIO_MEM (device) && vmem_memory_device_get_node (device) == node)
        {
          found = device;   /* the model keeps its reference */
          n_found++;
        }
    }

  if (n_found == 0)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_FOUND,
                   "Domain '%s' has no virtio-mem device on NUMA node %d", name, node);
      return NULL;
    }
  if (n_found > 1)
    {
      usage_error (error, "Domain '%s' has %u virtio-mem devices on NUMA node %d: "
                   "choose one with --alias", name, n_found, node);
      return NULL;
    }

  return g_object_ref (VMEM_VIRTIO_MEM (found));
}

static const char *
device_name (VmemVirtioMem *device)
{
  const char *alias = vmem_memory_device_get_alias (VMEM_MEMORY_DEVICE (device));

  /* A stopped domain's devices have no alias. */
  return alias != NULL ? alias : "the virtio-mem device";
}

typedef struct
{
  GMainLoop     *loop;
  VmemVirtioMem *device;
  guint64        start;
  guint64        target;
  guint64        shown;
  gboolean       shown_any;
  gboolean       tty;
  gboolean       bar_open;   /* the bar is on the terminal, without a newline */
  GError        *error;
} ResizeWait;

static void
resize_show (ResizeWait *wait)
{
  guint64 current = vmem_virtio_mem_get_current_size (wait->device);
  g_autofree char *current_text = NULL;
  g_autofree char *target_text = NULL;

  if (wait->shown_any && current == wait->shown)
    return;
  wait->shown = current;
  wait->shown_any = TRUE;

  current_text = vmem_size_format (current);
  target_text = vmem_size_format (wait->target);

  if (wait->tty)
    {
      static const char filled[BAR_WIDTH + 1] = "##############################";
      static const char empty[BAR_WIDTH + 1] = "..............................";
      double fraction = 1.0;
      int cells;

      /* How far along the way from where it started, growing or
       * shrinking. */
      if (wait->target != wait->start)
        fraction = ((double) current - (double) wait->start) /
                   ((double) wait->target - (double) wait->start);
      fraction = CLAMP (fraction, 0.0, 1.0);
      cells = (int) (fraction * BAR_WIDTH + 0.5);

      fprintf (stderr, "\r\033[K%s [%.*s%.*s] %s / %s", device_name (wait->device),
               cells, filled, BAR_WIDTH - cells, empty, current_text, target_text);
      wait->bar_open = TRUE;
    }
  else
    fprintf (stderr, "%s: %s / %s\n", device_name (wait->device), current_text, target_text);

  fflush (stderr);
}

static void
resize_size_changed (VmemDomain       *domain,
                     VmemMemoryDevice *device,
                     guint64           size,
                     gpointer          user_data)
{
  ResizeWait *wait = user_data;

  if (device == VMEM_MEMORY_DEVICE (wait->device))
    resize_show (wait);
}

static void
resize_current_changed (GObject    *object,
                        GParamSpec *pspec,
                        gpointer    user_data)
{
  resize_show (user_data);
}

static void
resize_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ResizeWait *wait = user_data;

  vmem_virtio_mem_resize_finish (VMEM_VIRTIO_MEM (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static gboolean
resize_and_wait (VmemDomain     *domain,
                 VmemVirtioMem  *device,
                 guint64         size,
                 GError        **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Interrupt interrupt = { 0 };
  ResizeWait wait = {
    .loop = loop,
    .device = device,
    .start = vmem_virtio_mem_get_current_size (device),
    .target = size,
    .tty = isatty (STDERR_FILENO),
  };
  gulong size_handler, current_handler;
  g_autofree char *current_text = NULL;
  g_autofree char *target_text = NULL;

  size_handler = g_signal_connect (domain, "memory-device-size-changed",
                                   G_CALLBACK (resize_size_changed), &wait);
  current_handler = g_signal_connect (device, "notify::current-size",
                                      G_CALLBACK (resize_current_changed), &wait);
  interrupt_watch (&interrupt, cancel_on_signal, cancellable);

  resize_show (&wait);
  vmem_virtio_mem_resize_async (device, size, cancellable, resize_done, &wait);
  g_main_loop_run (loop);

  interrupt_unwatch (&interrupt);
  g_signal_handler_disconnect (domain, size_handler);
  g_signal_handler_disconnect (device, current_handler);

  /* The last size, then the bar's line is done. */
  resize_show (&wait);
  if (wait.bar_open)
    fputc ('\n', stderr);

  current_text = vmem_size_format (vmem_virtio_mem_get_current_size (device));
  target_text = vmem_size_format (size);

  if (wait.error == NULL)
    {
      printf ("%s has %s\n", device_name (device), current_text);
      return TRUE;
    }

  if (g_error_matches (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Cancelling stops the waiting only: the request stands. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   "Interrupted: %s is usable with %s plugged; the guest was asked for %s "
                   "and may still get there",
                   device_name (device), current_text, target_text);
      g_clear_error (&wait.error);
      return FALSE;
    }

  g_propagate_error (error, wait.error);
  return FALSE;
}

static gboolean
cmd_resize (int      argc,
            char   **argv,
            GError **error)
{
  g_auto(GStrv) uris = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *alias = NULL;
  int node = -1;
  gboolean wait = FALSE, live = FALSE, config = FALSE;
  int stall_timeout = 0;
  GOptionEntry entries[] = {
    CONNECT_ENTRY (uris),
    { "alias", 'a', 0, G_OPTION_ARG_STRING, &alias, "The device's alias, such as virtiomem0", "ALIAS" },
    { "node", 'n', 0, G_OPTION_ARG_INT, &node, "The virtio-mem device on this guest NUMA node", "NODE" },
    { "wait", 'w', 0, G_OPTION_ARG_NONE, &wait, "Wait until the guest has the size, showing progress", NULL },
    { "stall-timeout", 0, 0, G_OPTION_ARG_INT, &stall_timeout,
      "With --wait: give up when the guest makes no progress for MS milliseconds (default 10000)", "MS" },
    { "live", 0, 0, G_OPTION_ARG_NONE, &live, "Change the running domain", NULL },
    { "config", 0, 0, G_OPTION_ARG_NONE, &config, "Change the persistent configuration", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(OpenConnection) connection = NULL;
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemVirtioMem) device = NULL;
  VmemAffectFlags flags;
  guint64 size;

  if (!parse_command_line ("resize", "DOMAIN SIZE",
                           "Sets the requested size of a virtio-mem device, chosen with --alias or --node. SIZE is a number and a unit, such as 1GiB or 512MiB.",
                           entries, &argc, &argv, error) ||
      !check_positionals (argc, 2, 2, error) ||
      !one_uri (uris, &uri, error))
    return FALSE;

  if ((alias == NULL) == (node < 0))
    return usage_error (error, "Choose the device with --alias or with --node, not both");
  if (stall_timeout < 0 || (stall_timeout > 0 && !wait))
    return usage_error (error, "--stall-timeout needs --wait and a positive number of milliseconds");
  if (wait && config)
    return usage_error (error, "--wait waits for the running guest: it cannot go with --config");

  /* Refused before anything is asked of libvirt. */
  if (!vmem_size_parse (argv[2], &size, error))
    return FALSE;

  connection = open_connection (uri, error);
  if (connection == NULL)
    return FALSE;

  domain = vmem_connection_lookup_domain (connection, argv[1], error);
  if (domain == NULL)
    return FALSE;

  device = find_virtio_mem (domain, alias, node, error);
  if (device == NULL)
    return FALSE;

  if (!vmem_virtio_mem_check_requested_size (device, size, error))
    return FALSE;

  if (wait)
    {
      if (stall_timeout > 0)
        vmem_virtio_mem_set_stall_timeout (device, stall_timeout);
      return resize_and_wait (domain, device, size, error);
    }

  flags = affect_flags (live, config);
  if (!vmem_virtio_mem_set_requested_size (device, size, flags, NULL, error))
    return FALSE;

  {
    g_autofree char *size_text = vmem_size_format (size);

    printf ("%s: requested %s\n", device_name (device), size_text);
  }
  return TRUE;
}

/* watch */

typedef struct
{
  GMainLoop *loop;
  Hosts     *hosts;
  gboolean   json;
  guint      count;     /* 0: no limit */
  guint      seen;
  guint      n_open;    /* hosts watched and not closed */
  GError    *error;     /* one host only: its connection closing */
} Watch;

/* What the signals of a host and its domains carry. */
typedef struct
{
  Watch *watch;
  Host  *host;
} WatchedHost;

static void
watch_size_changed (VmemDomain       *domain,
                    VmemMemoryDevice *device,
                    guint64           size,
                    gpointer          user_data)
{
  WatchedHost *watched = user_data;
  Watch *watch = watched->watch;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format_iso8601 (now);
  const char *alias = vmem_memory_device_get_alias (device);

  if (watch->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_add_host (builder, watched->host);
      json_builder_set_member_name (builder, "time");
      json_builder_add_string_value (builder, time);
      json_builder_set_member_name (builder, "domain");
      json_builder_add_string_value (builder, vmem_domain_get_name (domain));
      json_add_string_or_null (builder, "alias", alias);
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, model_name (device));
      json_add_size (builder, "size", size);
      json_builder_end_object (builder);
      json_print (builder, FALSE);
    }
  else
    {
      g_autofree char *size_text = vmem_size_format (size);

      /* No requested size: another program may have changed it, and
       * only the size comes with the event. */
      if (watch->hosts->several)
        printf ("%s ", watched->host->name);
      printf ("%s %s %s %s\n", time, vmem_domain_get_name (domain),
              alias != NULL ? alias : "-", size_text);
      fflush (stdout);
    }

  if (watch->count > 0 && ++watch->seen >= watch->count)
    g_main_loop_quit (watch->loop);
}

/* One host of several closing is reported, and the others go on. */
static void
watch_closed (VmemConnection  *connection,
              VmemCloseReason  reason,
              gpointer         user_data)
{
  WatchedHost *watched = user_data;
  Watch *watch = watched->watch;
  g_autoptr(GError) error = g_error_new (VMEM_ERROR, VMEM_ERROR_CLOSED,
                                         "The connection to libvirt closed (%s)",
                                         enum_nick (VMEM_TYPE_CLOSE_REASON, reason));

  /* Once a host: it is not reopened. */
  g_signal_handlers_disconnect_by_func (connection, watch_closed, watched);

  if (watch->hosts->several)
    hosts_report (watch->hosts, watched->host, error);
  else if (watch->error == NULL)
    watch->error = g_steal_pointer (&error);

  if (--watch->n_open == 0)
    g_main_loop_quit (watch->loop);
}

static gboolean
quit_on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
cmd_watch (int      argc,
           char   **argv,
           GError **error)
{
  g_auto(GStrv) uris = NULL;
  gboolean json = FALSE;
  int count = 0;
  GOptionEntry entries[] = {
    CONNECT_HOSTS_ENTRY (uris),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write one JSON object per line", NULL },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Stop after N size changes", "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(Hosts) hosts = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree WatchedHost *watched = NULL;
  Interrupt interrupt = { 0 };
  Watch watch = { 0 };
  guint n_hosts, n_domains = 0;

  if (!parse_command_line ("watch", "[DOMAIN]",
                           "Prints the size changes libvirt reports for memory devices, until interrupted. "
                           "With several -c, on every host, each line starting with its host.",
                           entries, &argc, &argv, error) ||
      !check_positionals (argc, 0, 1, error))
    return FALSE;

  if (count < 0)
    return usage_error (error, "--count needs a positive number");

  /* Holding the domain objects is what keeps their events coming. */
  hosts = hosts_open ("watch", uris, argc > 1 ? argv[1] : NULL, error);
  if (hosts == NULL)
    return FALSE;

  loop = g_main_loop_new (NULL, FALSE);
  watch.loop = loop;
  watch.hosts = hosts;
  watch.json = json;
  watch.count = count;

  n_hosts = hosts->hosts->len;
  watched = g_new0 (WatchedHost, n_hosts);
  for (guint h = 0; h < n_hosts; h++)
    {
      Host *host = hosts->hosts->pdata[h];
      guint n;

      /* A host that failed was reported, one without the domain is
       * not watched. */
      if (host->domains == NULL)
        continue;

      watched[h].watch = &watch;
      watched[h].host = host;
      n = g_list_model_get_n_items (host->domains);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(VmemDomain) domain = g_list_model_get_item (host->domains, i);

          g_signal_connect (domain, "memory-device-size-changed",
                            G_CALLBACK (watch_size_changed), &watched[h]);
        }
      g_signal_connect (host->connection, "closed", G_CALLBACK (watch_closed), &watched[h]);
      n_domains += n;
      watch.n_open++;
    }

  if (watch.n_open > 0)
    {
      interrupt_watch (&interrupt, quit_on_signal, loop);

      /* On stderr, so that scripts know when events start to count. */
      if (argc > 1)
        fprintf (stderr, "Watching the memory devices of %s", argv[1]);
      else
        fprintf (stderr, "Watching the memory devices of %u domain%s",
                 n_domains, n_domains == 1 ? "" : "s");
      if (hosts->several)
        fprintf (stderr, " on %u host%s", watch.n_open, watch.n_open == 1 ? "" : "s");
      fprintf (stderr, "; Ctrl-C stops.\n");
      fflush (stderr);

      g_main_loop_run (loop);

      interrupt_unwatch (&interrupt);
    }

  /* Before the hosts close their connections, which emits "closed". */
  for (guint h = 0; h < n_hosts; h++)
    {
      Host *host = hosts->hosts->pdata[h];
      guint n = host->domains != NULL ? g_list_model_get_n_items (host->domains) : 0;

      g_signal_handlers_disconnect_by_data (host->connection, &watched[h]);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(VmemDomain) domain = g_list_model_get_item (host->domains, i);

          g_signal_handlers_disconnect_by_data (domain, &watched[h]);
        }
    }

  if (watch.error != NULL)
    {
      g_propagate_error (error, watch.error);
      return FALSE;
    }

  return hosts_check (hosts, error);
}

/* autosize */

typedef struct
{
  GMainLoop    *loop;
  VmemAutosize *autosize;
  const char   *domain;
  gboolean      json;
  gboolean      verbose;
  guint         count;          /* stop after this many resizes; 0: no limit */
  gboolean      last_was_hold;
  gboolean      stopping;       /* the command stops the policy itself */
  char         *failure;        /* why the policy stopped, when not asked to */
} Autosize;

static const char *
action_name (VmemAutosizeAction action)
{
  return enum_nick (VMEM_TYPE_AUTOSIZE_ACTION, action);
}

static void
autosize_print (Autosize         *autosize,
                const char       *action,
                VmemMemoryDevice *device,
                guint64           from,
                guint64           to,
                const char       *reason)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format_iso8601 (now);

  if (autosize->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "time");
      json_builder_add_string_value (builder, time);
      json_builder_set_member_name (builder, "domain");
      json_builder_add_string_value (builder, autosize->domain);
      json_builder_set_member_name (builder, "action");
      json_builder_add_string_value (builder, action);
      json_add_string_or_null (builder, "alias", device != NULL ? vmem_memory_device_get_alias (device) : NULL);
      if (device != NULL)
        {
          json_add_size (builder, "from", from);
          json_add_size (builder, "to", to);
        }
      json_add_size (builder, "available", vmem_autosize_get_guest_available (autosize->autosize));
      json_add_size (builder, "total", vmem_autosize_get_guest_total (autosize->autosize));
      json_add_size (builder, "host_free", vmem_autosize_get_host_free (autosize->autosize));
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, reason);
      json_builder_end_object (builder);
      json_print (builder, FALSE);
      return;
    }

  if (device != NULL)
    {
      g_autofree char *from_text = vmem_size_format (from);
      g_autofree char *to_text = vmem_size_format (to);
      const char *alias = vmem_memory_device_get_alias (device);

      printf ("%s %s %s %s -> %s: %s\n", time, action, alias != NULL ? alias : "-",
              from_text, to_text, reason);
    }
  else
    printf ("%s %s: %s\n", time, action, reason);
  fflush (stdout);
}

static void
autosize_decision (VmemAutosize       *policy,
                   VmemAutosizeAction  action,
                   VmemMemoryDevice   *device,
                   guint64             from,
                   guint64             to,
                   const char         *reason,
                   gpointer            user_data)
{
  Autosize *autosize = user_data;
  gboolean hold = action == VMEM_AUTOSIZE_HOLD;

  /* A line per decision; a hold after a hold only with --verbose or
   * --json, since one comes with every sample. */
  if (!hold || !autosize->last_was_hold || autosize->verbose || autosize->json)
    autosize_print (autosize, action_name (action), device, from, to, reason);
  autosize->last_was_hold = hold;

  if (action == VMEM_AUTOSIZE_STOP)
    {
      if (!autosize->stopping)
        autosize->failure = g_strdup (reason);
      g_main_loop_quit (autosize->loop);
    }
}

static void
autosize_stalled (VmemAutosize     *policy,
                  VmemMemoryDevice *device,
                  const char       *message,
                  gpointer          user_data)
{
  autosize_print (user_data, "stalled", device, vmem_virtio_mem_get_requested_size (VMEM_VIRTIO_MEM (device)),
                  vmem_virtio_mem_get_requested_size (VMEM_VIRTIO_MEM (device)), message);
}

static void
autosize_resized (VmemAutosize *policy,
                  GParamSpec   *pspec,
                  gpointer      user_data)
{
  Autosize *autosize = user_data;

  if (autosize->count > 0 && vmem_autosize_get_resizes (policy) >= autosize->count)
    g_idle_add_once ((GSourceOnceFunc) g_main_loop_quit, autosize->loop);
}

static gboolean
autosize_interrupt (gpointer user_data)
{
  Autosize *autosize = user_data;

  g_main_loop_quit (autosize->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_band (const char  *text,
            guint64     *low,
            guint64     *high,
            GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", 2);

  if (g_strv_length (parts) != 2)
    return usage_error (error, "--band needs LOW:HIGH, such as 256MiB:512MiB");
  return vmem_size_parse (parts[0], low, error) && vmem_size_parse (parts[1], high, error);
}

static gboolean
cmd_autosize (int      argc,
              char   **argv,
              GError **error)
{
  g_auto(GStrv) uris = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *band = NULL, *step = NULL, *minimum = NULL, *maximum = NULL, *reserve = NULL;
  gboolean json = FALSE, verbose = FALSE;
  int count = 0, period = 1;
  GOptionEntry entries[] = {
    CONNECT_ENTRY (uris),
    { "band", 'b', 0, G_OPTION_ARG_STRING, &band,
      "Keep the guest's available memory between LOW and HIGH (default 256MiB:512MiB)", "LOW:HIGH" },
    { "step", 0, 0, G_OPTION_ARG_STRING, &step, "Change a device by at most SIZE a step (default 256MiB)", "SIZE" },
    { "min", 0, 0, G_OPTION_ARG_STRING, &minimum, "Never shrink a device's requested size under SIZE (default 0)", "SIZE" },
    { "max", 0, 0, G_OPTION_ARG_STRING, &maximum, "Never grow a device's requested size past SIZE (default its size)", "SIZE" },
    { "reserve", 0, 0, G_OPTION_ARG_STRING, &reserve,
      "Leave SIZE of the host's free memory to the host (default 1GiB)", "SIZE" },
    { "period", 0, 0, G_OPTION_ARG_INT, &period, "The guest's statistics period in seconds (default 1)", "SECONDS" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Stop after N resizes", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write one JSON object per decision", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Print every hold, not only the first of a row", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(OpenConnection) connection = NULL;
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemAutosize) policy = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Interrupt interrupt = { 0 };
  Autosize autosize = { 0 };
  guint64 value, low, high;

  if (!parse_command_line ("autosize", "DOMAIN",
                           "Grows and shrinks the domain's virtio-mem devices so that the memory the guest has "
                           "available stays in a band, printing a line per decision, until interrupted. "
                           "The domain needs a virtio balloon device, whose statistics give the guest's "
                           "available memory.",
                           entries, &argc, &argv, error) ||
      !check_positionals (argc, 1, 1, error) ||
      !one_uri (uris, &uri, error))
    return FALSE;

  if (count < 0)
    return usage_error (error, "--count needs a positive number");
  if (period < 1)
    return usage_error (error, "--period needs a positive number of seconds");

  connection = open_connection (uri, error);
  if (connection == NULL)
    return FALSE;
  domain = vmem_connection_lookup_domain (connection, argv[1], error);
  if (domain == NULL)
    return FALSE;

  /* Sizes refused before anything starts. */
  policy = vmem_autosize_new (domain);
  if (band != NULL)
    {
      if (!parse_band (band, &low, &high, error))
        return FALSE;
      vmem_autosize_set_available_low (policy, low);
      vmem_autosize_set_available_high (policy, high);
    }
  if (step != NULL)
    {
      if (!vmem_size_parse (step, &value, error))
        return FALSE;
      vmem_autosize_set_step_max (policy, value);
    }
  if (minimum != NULL)
    {
      if (!vmem_size_parse (minimum, &value, error))
        return FALSE;
      vmem_autosize_set_minimum (policy, value);
    }
  if (maximum != NULL)
    {
      if (!vmem_size_parse (maximum, &value, error))
        return FALSE;
      vmem_autosize_set_maximum (policy, value);
    }
  if (reserve != NULL)
    {
      if (!vmem_size_parse (reserve, &value, error))
        return FALSE;
      vmem_autosize_set_host_reserve (policy, value);
    }
  vmem_autosize_set_period (policy, (guint) period);

  loop = g_main_loop_new (NULL, FALSE);
  autosize.loop = loop;
  autosize.autosize = policy;
  autosize.domain = argv[1];
  autosize.json = json;
  autosize.verbose = verbose;
  autosize.count = (guint) count;
  g_signal_connect (policy, "decision", G_CALLBACK (autosize_decision), &autosize);
  g_signal_connect (policy, "stalled", G_CALLBACK (autosize_stalled), &autosize);
  g_signal_connect (policy, "notify::resizes", G_CALLBACK (autosize_resized), &autosize);

  if (!vmem_autosize_start (policy, error))
    return FALSE;

  {
    g_autofree char *low_text = vmem_size_format (vmem_autosize_get_available_low (policy));
    g_autofree char *high_text = vmem_size_format (vmem_autosize_get_available_high (policy));

    /* On stderr, so that scripts know when decisions start. */
    fprintf (stderr, "Keeping %s's available memory between %s and %s; Ctrl-C stops.\n",
             argv[1], low_text, high_text);
    fflush (stderr);
  }

  interrupt_watch (&interrupt, autosize_interrupt, &autosize);
  g_main_loop_run (loop);
  interrupt_unwatch (&interrupt);

  /* Stopping prints the last decision. */
  autosize.stopping = TRUE;
  vmem_autosize_stop (policy);
  g_signal_handlers_disconnect_by_data (policy, &autosize);

  if (autosize.failure != NULL)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_FAILED, "%s", autosize.failure);
      g_free (autosize.failure);
      return FALSE;
    }
  return TRUE;
}

/* attach */

static gboolean
cmd_attach (int      argc,
            char   **argv,
            GError **error)
{
  g_auto(GStrv) uris = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *model_text = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *path = NULL;
  g_autofree char *block_text = NULL;
  g_autofree char *requested_text = NULL;
  int node = -1;
  gboolean live = FALSE, config = FALSE;
  GOptionEntry entries[] = {
    CONNECT_ENTRY (uris),
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model_text, "dimm, nvdimm, virtio-pmem or virtio-mem", "MODEL" },
    { "size", 's', 0, G_OPTION_ARG_STRING, &size_text, "The device's size; for virtio-mem, its maximum", "SIZE" },
    { "node", 'n', 0, G_OPTION_ARG_INT, &node, "The guest NUMA node", "NODE" },
    { "path", 0, 0, G_OPTION_ARG_FILENAME, &path, "The backing file (nvdimm, virtio-pmem)", "PATH" },
    { "block", 0, 0, G_OPTION_ARG_STRING, &block_text, "The block size (virtio-mem; default 2MiB)", "SIZE" },
    { "requested", 0, 0, G_OPTION_ARG_STRING, &requested_text, "The requested size (virtio-mem; default 0)", "SIZE" },
    { "live", 0, 0, G_OPTION_ARG_NONE, &live, "Hot-plug into the running domain", NULL },
    { "config", 0, 0, G_OPTION_ARG_NONE, &config, "Add to the persistent configuration", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(OpenConnection) connection = NULL;
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemMemoryDevice) device = NULL;
  g_autoptr(VmemMemoryDevice) attached = NULL;
  g_autofree char *size_shown = NULL;
  GEnumClass *models;
  GEnumValue *model;
  guint64 size, block = 2 * 1024 * 1024, requested = 0;
  const char *added = NULL;

  if (!parse_command_line ("attach", "DOMAIN",
                           "Hot-plugs a memory device, or adds it to the domain's configuration.",
                           entries, &argc, &argv, error) ||
      !check_positionals (argc, 1, 1, error) ||
      !one_uri (uris, &uri, error))
    return FALSE;

  if (model_text == NULL || size_text == NULL)
    return usage_error (error, "--model and --size are required");
  if (node < -1)
    return usage_error (error, "--node needs a NUMA node number");

  models = g_type_class_ref (VMEM_TYPE_MEMORY_MODEL);
  model = g_enum_get_value_by_nick (models, model_text);
  g_type_class_unref (models);
  if (model == NULL || model->value == VMEM_MEMORY_MODEL_SGX_EPC)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_UNSUPPORTED_MODEL,
                   "Cannot attach a device of model '%s': use dimm, nvdimm, virtio-pmem "
                   "or virtio-mem", model_text);
      return FALSE;
    }

  if ((model->value == VMEM_MEMORY_MODEL_NVDIMM ||
       model->value == VMEM_MEMORY_MODEL_VIRTIO_PMEM) != (path != NULL))
    return usage_error (error, "--path is for nvdimm and virtio-pmem, and they need it");
  if (model->value != VMEM_MEMORY_MODEL_VIRTIO_MEM &&
      (block_text != NULL || requested_text != NULL))
    return usage_error (error, "--block and --requested are for virtio-mem devices");

  if (!vmem_size_parse (size_text, &size, error) ||
      (block_text != NULL && !vmem_size_parse (block_text, &block, error)) ||
      (requested_text != NULL && !vmem_size_parse (requested_text, &requested, error)))
    return FALSE;

  switch ((VmemMemoryModel) model->value)
    {
    case VMEM_MEMORY_MODEL_DIMM:
      device = VMEM_MEMORY_DEVICE (vmem_dimm_new ());
      break;
    case VMEM_MEMORY_MODEL_NVDIMM:
      device = VMEM_MEMORY_DEVICE (vmem_nvdimm_new ());
      break;
    case VMEM_MEMORY_MODEL_VIRTIO_PMEM:
      device = VMEM_MEMORY_DEVICE (vmem_virtio_pmem_new ());
      break;
    case VMEM_MEMORY_MODEL_VIRTIO_MEM:
      /* The requested size of a device is set when it is made. */
      device = g_object_new (VMEM_TYPE_VIRTIO_MEM,
                             "block-size", block,
                             "requested-size", requested,
                             NULL);
      break;
    case VMEM_MEMORY_MODEL_SGX_EPC:
    default:
      g_assert_not_reached ();
    }

  vmem_memory_device_set_size (device, size);
  vmem_memory_device_set_node (device, node);
  if (path != NULL)
    vmem_memory_device_set_source_path (device, path);

  /* Wrong sizes are refused here, with the library's reasons, before a
   * connection is even opened. */
  if (!vmem_memory_device_validate (device, error))
    return FALSE;

  connection = open_connection (uri, error);
  if (connection == NULL)
    return FALSE;

  domain = vmem_connection_lookup_domain (connection, argv[1], error);
  if (domain == NULL)
    return FALSE;

  /* The device as the domain shows it, with the alias libvirt gave it. */
  attached = vmem_domain_attach_device (domain, device, affect_flags (live, config), NULL, error);
  if (attached == NULL)
    return FALSE;
  added = vmem_memory_device_get_alias (attached);

  size_shown = vmem_size_format (size);
  if (added != NULL)
    printf ("%s: attached (%s, %s)\n", added, model_text, size_shown);
  else
    printf ("attached a %s device of %s to %s\n", model_text, size_shown,
            vmem_domain_get_name (domain));
  return TRUE;
}

/* detach */

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  gboolean      timed_out;
  GError       *error;
} Detach;

static void
detach_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Detach *detach = user_data;

  vmem_domain_detach_device_finish (VMEM_DOMAIN (object), result, &detach->error);
  g_main_loop_quit (detach->loop);
}

static gboolean
detach_timed_out (gpointer user_data)
{
  Detach *detach = user_data;

  detach->timed_out = TRUE;
  g_cancellable_cancel (detach->cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
cmd_detach (int      argc,
            char   **argv,
            GError **error)
{
  g_auto(GStrv) uris = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *alias = NULL;
  gboolean live = FALSE, config = FALSE;
  int timeout = 0;
  GOptionEntry entries[] = {
    CONNECT_ENTRY (uris),
    { "alias", 'a', 0, G_OPTION_ARG_STRING, &alias, "The device's alias, such as dimm0", "ALIAS" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
      "Stop waiting for the guest after SECONDS (default: no limit)", "SECONDS" },
    { "live", 0, 0, G_OPTION_ARG_NONE, &live, "Remove from the running domain", NULL },
    { "config", 0, 0, G_OPTION_ARG_NONE, &config, "Remove from the persistent configuration", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(OpenConnection) connection = NULL;
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Interrupt interrupt = { 0 };
  Detach detach = { 0 };
  guint timeout_id = 0;

  if (!parse_command_line ("detach", "DOMAIN",
                           "Removes a memory device, waiting until the guest released it.",
                           entries, &argc, &argv, error) ||
      !check_positionals (argc, 1, 1, error) ||
      !one_uri (uris, &uri, error))
    return FALSE;

  if (alias == NULL)
    return usage_error (error, "--alias is required");
  if (timeout < 0)
    return usage_error (error, "--timeout needs a positive number of seconds");

  connection = open_connection (uri, error);
  if (connection == NULL)
    return FALSE;

  domain = vmem_connection_lookup_domain (connection, argv[1], error);
  if (domain == NULL)
    return FALSE;

  if (vmem_domain_find_memory_device (domain, alias) == NULL)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_FOUND,
                   "Domain '%s' has no memory device '%s'", argv[1], alias);
      return FALSE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  detach.loop = loop;
  detach.cancellable = cancellable;

  interrupt_watch (&interrupt, cancel_on_signal, cancellable);
  if (timeout > 0)
    timeout_id = g_timeout_add_seconds (timeout, detach_timed_out, &detach);

  vmem_domain_detach_device_async (domain, alias, affect_flags (live, config), cancellable,
                                   detach_done, &detach);
  g_main_loop_run (loop);

  interrupt_unwatch (&interrupt);
  g_clear_handle_id (&timeout_id, g_source_remove);

  if (detach.error == NULL)
    {
      printf ("%s: detached\n", alias);
      return TRUE;
    }

  if (g_error_matches (detach.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Either way libvirt was asked: the guest may still let it go. */
      if (detach.timed_out)
        g_set_error (error, VMEM_ERROR, VMEM_ERROR_BUSY,
                     "The guest did not release %s in %d s; it may still do so later",
                     alias, timeout);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                     "Interrupted: the removal of %s was asked for; the guest may still "
                     "release it", alias);
      g_clear_error (&detach.error);
      return FALSE;
    }

  g_propagate_error (error, detach.error);
  return FALSE;
}

/* main */

typedef struct
{
  const char *name;
  const char *summary;
  gboolean  (*run) (int      argc,
                    char   **argv,
                    GError **error);
} Command;

static const Command commands[] = {
  { "list", "List memory devices: alias, model, node, sizes", cmd_list },
  { "info", "Show memory per NUMA node, slots and hot-plug headroom", cmd_info },
  { "resize", "Set a virtio-mem device's requested size, and wait for it", cmd_resize },
  { "watch", "Print memory devices' size changes as they happen", cmd_watch },
  { "autosize", "Keep a guest's available memory in a band with virtio-mem", cmd_autosize },
  { "attach", "Hot-plug a memory device", cmd_attach },
  { "detach", "Remove a memory device", cmd_detach },
};

static char *
commands_help (void)
{
  GString *text = g_string_new ("Commands:\n");

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-8s %s\n", commands[i].name, commands[i].summary);
  g_string_append (text, "\n'vmemctl COMMAND --help' describes a command's options.");
  return g_string_free (text, FALSE);
}

int
main (int    argc,
      char **argv)
{
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &global_uris,
      "libvirt URI; list, info and watch take several, one per host (default: $VMEM_URI, "
      "else libvirt's default)", "URI" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = commands_help ();
  const Command *command = NULL;
  const char *what = "vmemctl";
  ExitCode status;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("COMMAND [ARGUMENT…]");
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context,
                                    EXIT_CODES_HELP
                                    "\nEnvironment:\n"
                                    "  VMEM_URI  the libvirt URI when -c is not given\n");
  g_option_context_add_main_entries (context, entries, NULL);
  /* Options after the command are the command's. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto out;

  if (version)
    {
      printf ("vmemctl %s\n", VMEM_VERSION_S);
      status = EXIT_OK;
      goto done;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fprintf (stderr, "%s", help);
      status = EXIT_USAGE;
      goto done;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (argv[1], commands[i].name) == 0)
      command = &commands[i];

  if (command == NULL)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                   "Unknown command '%s'", argv[1]);
      goto out;
    }

  what = command->name;
  if (command->run (argc - 1, argv + 1, &error))
    {
      status = EXIT_OK;
      goto done;
    }

out:
  status = exit_code_for_error (error);
  if (error->domain == REPORTED_ERROR)
    goto done;
  fprintf (stderr, "vmemctl: %s%s%s\n", command != NULL ? what : "",
           command != NULL ? ": " : "", error->message);
  if (status == EXIT_USAGE)
    fprintf (stderr, "Try 'vmemctl %s%s--help'.\n", command != NULL ? what : "",
             command != NULL ? " " : "");

done:
  g_strfreev (global_uris);
  return status;
}
