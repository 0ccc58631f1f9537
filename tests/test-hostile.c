/* test-hostile.c: XML an attacker could hand the library
 *
 * Covers entity expansion (billion laughs), external entities and DTDs
 * that would read local files, any DOCTYPE at all, 100 MB of nested
 * elements, and malformed input (unclosed tags, invalid UTF-8, undeclared
 * entities, empty and truncated documents). Every case must fail with
 * VMEM_ERROR_INVALID_XML, quickly and in bounded memory, and must not
 * open the files it names: a file of the test's own is watched with
 * inotify, and /etc/passwd's contents must appear nowhere.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <vmem.h>

/* Each case must be refused in under this much CPU time, in microseconds:
 * a bound that catches work growing faster than the input, not a speed
 * goal. CPU time, not wall time, so that a loaded machine (the live tests
 * boot guests beside this one) does not fail it. */
#define MAX_DURATION_US (2 * G_USEC_PER_SEC)

/* The CPU time this thread has used, in microseconds. */
static gint64
cpu_time_us (void)
{
  struct timespec ts;

  g_assert_cmpint (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts), ==, 0);

  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Running under valgrind makes everything slower by an order of magnitude;
 * the test setup says so through this variable. */
static double
time_scale (void)
{
  const char *scale = g_getenv ("VMEM_TEST_TIME_SCALE");
  double value;

  if (scale == NULL || *scale == '\0')
    return 1.0;

  value = g_ascii_strtod (scale, NULL);
  g_assert_cmpfloat (value, >=, 1.0);

  return value;
}

/* The peak resident set size of the process, in KiB: VmHWM, which
 * peak_reset() brings down to the current size, so that each measurement
 * starts afresh; getrusage()'s ru_maxrss where that is not possible. */
static gboolean
peak_reset (void)
{
  int fd = open ("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  gboolean done;

  if (fd < 0)
    return FALSE;
  done = write (fd, "5", 1) == 1;
  close (fd);

  return done;
}

static long
peak_kib (void)
{
  g_autofree char *status = NULL;
  const char *hwm;
  struct rusage usage;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (hwm = strstr (status, "\nVmHWM:")) != NULL)
    return strtol (hwm + strlen ("\nVmHWM:"), NULL, 10);

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return usage.ru_maxrss;
}

typedef struct
{
  char *secret_path;     /* a file whose opening the test watches */
  char *secret_token;    /* its unique contents */
  int   inotify_fd;
} HostileFixture;

static void
hostile_fixture_set_up (HostileFixture *fixture,
                        gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  int fd;

  fd = g_file_open_tmp ("vmem-hostile-XXXXXX", &fixture->secret_path, &error);
  g_assert_no_error (error);
  close (fd);

  fixture->secret_token = g_strdup_printf ("vmem-secret-%08x%08x",
                                           g_random_int (), g_random_int ());
  g_file_set_contents (fixture->secret_path, fixture->secret_token, -1, &error);
  g_assert_no_error (error);

  fixture->inotify_fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  g_assert_cmpint (fixture->inotify_fd, >=, 0);
  g_assert_cmpint (inotify_add_watch (fixture->inotify_fd, fixture->secret_path,
                                      IN_OPEN | IN_ACCESS), >=, 0);
}

static void
hostile_fixture_tear_down (HostileFixture *fixture,
                           gconstpointer   data)
{
  close (fixture->inotify_fd);
  g_unlink (fixture->secret_path);
  g_free (fixture->secret_path);
  g_free (fixture->secret_token);
}

/* Whether anything opened or read the secret file since the last call. */
static gboolean
secret_was_touched (HostileFixture *fixture)
{
  char buffer[4096] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  ssize_t len = read (fixture->inotify_fd, buffer, sizeof buffer);

  if (len < 0)
    {
      g_assert_cmpint (errno, ==, EAGAIN);
      return FALSE;
    }

  return len > 0;
}

/* The calibration: the watch does see a read of the file. */
static void
test_watch_works (HostileFixture *fixture,
                  gconstpointer   data)
{
  g_autofree char *contents = NULL;

  g_assert_false (secret_was_touched (fixture));
  g_assert_true (g_file_get_contents (fixture->secret_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, fixture->secret_token);
  g_assert_true (secret_was_touched (fixture));
  g_assert_false (secret_was_touched (fixture));
}

/* Replaces @SECRET@ in @template by the secret file's path. */
static char *
with_secret (HostileFixture *fixture,
             const char     *template)
{
  g_autoptr(GString) s = g_string_new (template);

  g_string_replace (s, "@SECRET@", fixture->secret_path, 0);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
assert_refused_error (HostileFixture *fixture,
                      const GError   *error)
{
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_XML);
  g_assert_null (strstr (error->message, "root:"));
  g_assert_null (strstr (error->message, fixture->secret_token));
  /* The message is for people: not an echo of megabytes of input. */
  g_assert_cmpuint (strlen (error->message), <, 4096);
}

/* Runs @xml through both readers: each must refuse it as INVALID_XML
 * without touching the secret file, and in time unless @out_elapsed is
 * given: then the longer of the two durations is stored there, for the
 * caller to check after its own measurements. */
static void
assert_refused_timed (HostileFixture *fixture,
                      const char     *xml,
                      gint64         *out_elapsed)
{
  const gint64 limit = out_elapsed ? G_MAXINT64 : (gint64) (MAX_DURATION_US * time_scale ());
  gint64 longest = 0;

  /* As a domain. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmemDomainConfig) config = NULL;
    gint64 start = cpu_time_us ();
    gint64 elapsed;

    config = vmem_domain_config_new_from_xml (xml, &error);
    elapsed = cpu_time_us () - start;

    g_assert_null (config);
    assert_refused_error (fixture, error);
    g_test_message ("domain: %" G_GINT64_FORMAT " us of CPU: %s", elapsed, error->message);
    g_assert_cmpint (elapsed, <, limit);
    longest = MAX (longest, elapsed);
  }

  /* As a device. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmemMemoryDevice) device = NULL;
    gint64 start = cpu_time_us ();
    gint64 elapsed;

    device = vmem_memory_device_new_from_xml (xml, &error);
    elapsed = cpu_time_us () - start;

    g_assert_null (device);
    assert_refused_error (fixture, error);
    g_test_message ("device: %" G_GINT64_FORMAT " us of CPU: %s", elapsed, error->message);
    g_assert_cmpint (elapsed, <, limit);
    longest = MAX (longest, elapsed);
  }

  g_assert_false (secret_was_touched (fixture));
  if (out_elapsed != NULL)
    *out_elapsed = longest;
}

static void
assert_refused (HostileFixture *fixture,
                const char     *xml)
{
  assert_refused_timed (fixture, xml, NULL);
}

/* Each document exists in two forms: with a <domain> root and with a
 * <memory> root, so both readers see what they would accept otherwise. */
static void
assert_refused_both (HostileFixture *fixture,
                     const char     *domain_template,
                     const char     *memory_template)
{
  g_autofree char *domain_xml = with_secret (fixture, domain_template);
  g_autofree char *memory_xml = with_secret (fixture, memory_template);

  assert_refused (fixture, domain_xml);
  assert_refused (fixture, memory_xml);
}

/* Refuses @xml, then checks the time and the peak memory it took. */
static void
assert_refused_bounded (HostileFixture *fixture,
                        const char     *xml)
{
  const gint64 limit = (gint64) (MAX_DURATION_US * time_scale ());
  gboolean reset = peak_reset ();
  long before = peak_kib ();
  long after;
  gint64 elapsed = 0;
  long grown;

  assert_refused_timed (fixture, xml, &elapsed);
  after = peak_kib ();
  grown = after - before;
  g_test_message ("%" G_GINT64_FORMAT " us of CPU, peak RSS %ld KiB -> %ld KiB (+%ld KiB)%s",
                  elapsed, before, after, grown,
                  reset ? "" : " (the peak could not be reset: measured from the previous peak)");

  /* A tree of 15 million nodes would take gigabytes; the input itself is
   * already in memory. */
  g_assert_cmpint (grown, <, 300 * 1024);
  g_assert_cmpint (elapsed, <, limit);
}

static char *
billion_laughs (const char *root_start,
                const char *root_end)
{
  GString *xml = g_string_new ("<?xml version='1.0'?>\n<!DOCTYPE lolz [\n"
                               "  <!ENTITY lol 'lol'>\n");

  for (guint i = 1; i <= 9; i++)
    {
      g_string_append_printf (xml, "  <!ENTITY lol%u '", i);
      for (guint j = 0; j < 10; j++)
        {
          if (i == 1)
            g_string_append (xml, "&lol;");
          else
            g_string_append_printf (xml, "&lol%u;", i - 1);
        }
      g_string_append (xml, "'>\n");
    }
  g_string_append_printf (xml, "]>\n%s&lol9;%s\n", root_start, root_end);

  return g_string_free (xml, FALSE);
}

static void
test_billion_laughs (HostileFixture *fixture,
                     gconstpointer   data)
{
  g_autofree char *domain_xml = billion_laughs ("<domain type='kvm'><name>", "</name></domain>");
  g_autofree char *memory_xml =
    billion_laughs ("<memory model='dimm'><source><nodemask>",
                    "</nodemask></source><target><size unit='KiB'>1024</size></target></memory>");
  g_autofree char *attr_xml =
    billion_laughs ("<domain type='kvm'><name>x</name><devices><memory model='dimm' a='",
                    "'/></devices></domain>");

  /* 10^9 "lol"s are 3 GB; nothing near that may be allocated. */
  assert_refused_bounded (fixture, domain_xml);
  assert_refused_bounded (fixture, memory_xml);
  /* In an attribute value as well. */
  assert_refused_bounded (fixture, attr_xml);
}

static void
test_external_entity (HostileFixture *fixture,
                      gconstpointer   data)
{
  assert_refused_both (fixture,
    "<?xml version='1.0'?>\n"
    "<!DOCTYPE domain [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
    "<domain type='kvm'><name>&x;</name></domain>",
    "<?xml version='1.0'?>\n"
    "<!DOCTYPE memory [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
    "<memory model='nvdimm'><source><path>&x;</path></source>"
    "<target><size unit='KiB'>524288</size></target></memory>");

  assert_refused_both (fixture,
    "<!DOCTYPE domain [<!ENTITY x SYSTEM \"file://@SECRET@\">]>"
    "<domain type='kvm'><name>&x;</name></domain>",
    "<!DOCTYPE memory [<!ENTITY x SYSTEM \"@SECRET@\">]>"
    "<memory model='dimm' foo='&x;'><target><size unit='KiB'>1024</size></target></memory>");

  /* An external entity in an unknown element the library would keep. */
  assert_refused_both (fixture,
    "<!DOCTYPE domain [<!ENTITY x SYSTEM \"@SECRET@\">]>"
    "<domain type='kvm'><name>n</name><devices><memory model='dimm'>"
    "<target><size unit='KiB'>1024</size></target><kept>&x;</kept></memory></devices></domain>",
    "<!DOCTYPE memory [<!ENTITY x SYSTEM \"@SECRET@\">]>"
    "<memory model='dimm'><target><size unit='KiB'>1024</size></target><kept>&x;</kept></memory>");
}

static void
test_external_dtd (HostileFixture *fixture,
                   gconstpointer   data)
{
  /* A parameter entity that pulls in a file. */
  assert_refused_both (fixture,
    "<!DOCTYPE domain [<!ENTITY % p SYSTEM \"file://@SECRET@\"> %p;]>"
    "<domain type='kvm'><name>x</name></domain>",
    "<!DOCTYPE memory [<!ENTITY % p SYSTEM \"@SECRET@\"> %p;]>"
    "<memory model='dimm'><target><size unit='KiB'>1024</size></target></memory>");

  /* An external DTD. */
  assert_refused_both (fixture,
    "<!DOCTYPE domain SYSTEM \"file://@SECRET@\"><domain type='kvm'><name>x</name></domain>",
    "<!DOCTYPE memory SYSTEM \"@SECRET@\">"
    "<memory model='dimm'><target><size unit='KiB'>1024</size></target></memory>");
  assert_refused_both (fixture,
    "<!DOCTYPE domain PUBLIC \"-//x//y\" \"file:///etc/passwd\"><domain type='kvm'><name>x</name></domain>",
    "<!DOCTYPE memory PUBLIC \"-//x//y\" \"@SECRET@\">"
    "<memory model='dimm'><target><size unit='KiB'>1024</size></target></memory>");

  /* Over the network. */
  assert_refused_both (fixture,
    "<!DOCTYPE domain SYSTEM \"http://127.0.0.1:9/x.dtd\"><domain type='kvm'><name>x</name></domain>",
    "<!DOCTYPE memory [<!ENTITY x SYSTEM \"http://127.0.0.1:9/x\">]>"
    "<memory model='dimm'><target><size unit='KiB'>1024</size></target><k>&x;</k></memory>");
}

/* Any DOCTYPE is refused, even one that declares nothing. */
static void
test_doctype (HostileFixture *fixture,
              gconstpointer   data)
{
  assert_refused_both (fixture,
    "<!DOCTYPE domain><domain type='kvm'><name>x</name></domain>",
    "<!DOCTYPE memory><memory model='dimm'><target><size unit='KiB'>1024</size></target></memory>");
  assert_refused_both (fixture,
    "<?xml version='1.0'?><!DOCTYPE domain []><domain type='kvm'><name>x</name></domain>",
    "<?xml version='1.0'?><!DOCTYPE memory []>"
    "<memory model='dimm'><target><size unit='KiB'>1024</size></target></memory>");
  /* An internal entity, harmless in itself. */
  assert_refused_both (fixture,
    "<!DOCTYPE domain [<!ENTITY n 'name'>]><domain type='kvm'><name>&n;</name></domain>",
    "<!DOCTYPE memory [<!ENTITY n '1024'>]>"
    "<memory model='dimm'><target><size unit='KiB'>&n;</size></target></memory>");
}

/* XInclude is not processed: the include stays an element the library does
 * not know, and the file is never read. */
static void
test_xinclude (HostileFixture *fixture,
               gconstpointer   data)
{
  g_autofree char *xml =
    with_secret (fixture,
                 "<memory model='dimm' xmlns:xi='http://www.w3.org/2001/XInclude'>"
                 "<target><size unit='KiB'>1024</size></target>"
                 "<xi:include href='@SECRET@' parse='text'/></memory>");
  g_autofree char *domain_xml =
    with_secret (fixture,
                 "<domain type='kvm' xmlns:xi='http://www.w3.org/2001/XInclude'>"
                 "<name><xi:include href='@SECRET@' parse='text'/></name></domain>");
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemMemoryDevice) device = vmem_memory_device_new_from_xml (xml, &error);
  g_autoptr(VmemDomainConfig) config = NULL;

  if (device != NULL)
    {
      g_autofree char *out = vmem_memory_device_to_xml (device);

      g_assert_null (strstr (out, fixture->secret_token));
    }
  else
    assert_refused_error (fixture, error);
  g_clear_error (&error);

  config = vmem_domain_config_new_from_xml (domain_xml, &error);
  if (config != NULL)
    g_assert_null (strstr (vmem_domain_config_get_name (config) ? vmem_domain_config_get_name (config) : "",
                           fixture->secret_token));
  else
    assert_refused_error (fixture, error);

  g_assert_false (secret_was_touched (fixture));
}

/* Fills @dest with @count copies of @unit, doubling. */
static void
fill_repeated (char       *dest,
               const char *unit,
               gsize       count)
{
  gsize unit_len = strlen (unit);
  gsize total = unit_len * count;
  gsize done;

  memcpy (dest, unit, unit_len);
  done = unit_len;
  while (done < total)
    {
      gsize n = MIN (done, total - done);

      memcpy (dest + done, dest, n);
      done += n;
    }
}

/* "<domain type='kvm'>" + depth x "<a>" + depth x "</a>" + "</domain>". */
static char *
deep_document (const char *root_start,
               const char *root_end,
               gsize       depth,
               gsize      *out_len)
{
  gsize start_len = strlen (root_start);
  gsize end_len = strlen (root_end);
  gsize len = start_len + depth * 3 + depth * 4 + end_len;
  char *xml = g_malloc (len + 1);
  char *p = xml;

  memcpy (p, root_start, start_len);
  p += start_len;
  fill_repeated (p, "<a>", depth);
  p += depth * 3;
  fill_repeated (p, "</a>", depth);
  p += depth * 4;
  memcpy (p, root_end, end_len);
  p += end_len;
  *p = '\0';

  *out_len = len;
  return xml;
}

static void
test_deep_nesting (HostileFixture *fixture,
                   gconstpointer   data)
{
  /* 15 million levels: 105 MB of markup. */
  const gsize depth = 15 * 1000 * 1000;
  gsize len = 0;
  g_autofree char *domain_xml = deep_document ("<domain type='kvm'><name>x</name><devices>",
                                               "</devices></domain>", depth, &len);
  g_autofree char *memory_xml = NULL;

  g_assert_cmpuint (len, >=, 100 * 1000 * 1000);
  g_test_message ("%" G_GSIZE_FORMAT " bytes", len);
  assert_refused_bounded (fixture, domain_xml);
  g_clear_pointer (&domain_xml, g_free);

  memory_xml = deep_document ("<memory model='dimm'><target><size unit='KiB'>1024</size></target>",
                              "</memory>", depth, &len);
  assert_refused_bounded (fixture, memory_xml);
}

static void
test_malformed (HostileFixture *fixture,
                gconstpointer   data)
{
  /* An unclosed tag. */
  assert_refused_both (fixture,
    "<domain type='kvm'><name>x</name><devices>",
    "<memory model='dimm'><target><size unit='KiB'>1024</size></target>");
  assert_refused_both (fixture,
    "<domain type='kvm'><name>x</domain>",
    "<memory model='dimm'><target><size unit='KiB'>1024</target></memory>");

  /* Invalid UTF-8: a lone continuation byte, a truncated sequence, an
   * overlong encoding. */
  assert_refused_both (fixture,
    "<domain type='kvm'><name>\x80\xff\xfe</name></domain>",
    "<memory model='dimm'><alias name='\xc3'/><target><size unit='KiB'>1024</size></target></memory>");
  assert_refused_both (fixture,
    "<domain type='kvm'><name>\xc0\xaf</name></domain>",
    "<memory model='dimm'><target><size unit='KiB'>1024</size><x>\xed\xa0\x80</x></target></memory>");

  /* An entity nobody declared. */
  assert_refused_both (fixture,
    "<domain type='kvm'><name>&foo;</name></domain>",
    "<memory model='dimm'><target><size unit='KiB'>&foo;</size></target></memory>");

  /* Empty and blank documents. */
  assert_refused_both (fixture, "", "");
  assert_refused_both (fixture, "   \n\t ", "<?xml version='1.0'?>");

  /* A document cut short by a NUL: the reader stops at the NUL. */
  {
    char domain_xml[] = "<domain type='kvm'><name>x</na\0me></domain>";
    char memory_xml[] = "<memory model='dimm'><target><size unit='KiB'>10\0" "24</size></target></memory>";

    assert_refused (fixture, domain_xml);
    assert_refused (fixture, memory_xml);
  }

  /* Two roots, text outside the root, and a bare declaration. */
  assert_refused_both (fixture,
    "<domain type='kvm'><name>x</name></domain><domain type='kvm'><name>y</name></domain>",
    "<memory model='dimm'><target><size unit='KiB'>1024</size></target></memory>junk");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/hostile/watch-works", HostileFixture, NULL,
              hostile_fixture_set_up, test_watch_works, hostile_fixture_tear_down);
  g_test_add ("/hostile/billion-laughs", HostileFixture, NULL,
              hostile_fixture_set_up, test_billion_laughs, hostile_fixture_tear_down);
  g_test_add ("/hostile/external-entity", HostileFixture, NULL,
              hostile_fixture_set_up, test_external_entity, hostile_fixture_tear_down);
  g_test_add ("/hostile/external-dtd", HostileFixture, NULL,
              hostile_fixture_set_up, test_external_dtd, hostile_fixture_tear_down);
  g_test_add ("/hostile/doctype", HostileFixture, NULL,
              hostile_fixture_set_up, test_doctype, hostile_fixture_tear_down);
  g_test_add ("/hostile/xinclude", HostileFixture, NULL,
              hostile_fixture_set_up, test_xinclude, hostile_fixture_tear_down);
  g_test_add ("/hostile/deep-nesting", HostileFixture, NULL,
              hostile_fixture_set_up, test_deep_nesting, hostile_fixture_tear_down);
  g_test_add ("/hostile/malformed", HostileFixture, NULL,
              hostile_fixture_set_up, test_malformed, hostile_fixture_tear_down);

  return g_test_run ();
}
