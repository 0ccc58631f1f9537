/* test-readers.c: the two XML readers agree on everything libvirt writes
 *
 * The live layer reads the XML libvirt sends with a fast reader of its
 * own (vmem_xml_read_trusted()), which skips what the memory view does
 * not need and falls back to the full libxml2 reader on anything outside
 * the plain subset libvirt writes. Its results must be the full reader's.
 *
 * /readers/corpus takes every domain of libvirt's own memory-device test
 * corpus and has libvirt write it: defined on the test driver, then read
 * back with virDomainGetXMLDesc() with the flags the library passes (0 and
 * VIR_DOMAIN_XML_INACTIVE), once while the domain is only defined and once
 * while it runs, when libvirt writes the live XML the library reads most
 * (the domain's id, a virtio-mem device's <current>). Each text is read
 * with both readers: every property of the configuration, of each NUMA
 * cell and of each device must be equal, each device must be equal by
 * vmem_memory_device_equal() and written as the same XML, and the two
 * configurations must validate alike; or the fast reader must have
 * declined, which the test counts and names.
 *
 * No corpus file needs changing for the test driver: it takes the files'
 * domain types ('kvm', 'qemu') and QEMU's emulator as they are, and starts
 * each. The files it refuses are listed below with libvirt's reason; the
 * test fails when one of them is accepted, or another one is refused.
 * (memory-hotplug-nonuma, the corpus's other .err case, is defined: memory
 * hot-plug without a NUMA node is refused by the qemu driver's own checks,
 * which the test driver does not make.) Every XML file the corpus's
 * MANIFEST.txt lists must be there and read.
 *
 * What libvirt writes of this corpus never makes the fast reader decline
 * (a domain with a namespace, such as qemu:commandline, would: libvirt
 * declares it on <domain>), so that path is also taken on purpose: each
 * text is read again with a comment before its end, and with a digit of
 * the first device's size written as a character reference. The fast
 * reader must decline both, and what the live layer reads, its fallback,
 * must still be the full reader's result.
 *
 * /readers/recent-fields does the same with what libvirt 9.4 and later
 * write of memory devices and libvirt 9.0, whose test driver writes the
 * corpus here, does not: texts written out in libvirt's layout.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <vmem.h>

#include "vmem-domain-config-private.h"

#include "test-util.h"

static const char *const corpus_subdirs[] = { "qemuxml2argvdata", "qemuxml2xmloutdata" };

/* Corpus files libvirt itself refuses to define, and why. */
static struct
{
  const char *file;
  const char *reason;
  gboolean    seen;
} refused[] = {
  /* A <memory> device for NUMA node 1 in a guest with one node: the
   * corpus's expected error (memory-hotplug-invalid-targetnode.err). */
  { "qemuxml2argvdata/memory-hotplug-invalid-targetnode.xml",
    "can't add memory backend for guest node '1'" },
};

/* What libvirt is asked to write of each domain it defines. */
static const struct
{
  gboolean     running;
  unsigned int flags;
  const char  *name;
} descs[] = {
  { FALSE, 0, "defined" },
  { FALSE, VIR_DOMAIN_XML_INACTIVE, "defined, inactive" },
  { TRUE, 0, "running" },
  { TRUE, VIR_DOMAIN_XML_INACTIVE, "running, inactive" },
};

/* The ways a text is made one the fast reader must decline. */
static const char *const declined_variants[] = {
  "a comment before </domain>",
  "a character reference in the first device's <size>",
};

typedef struct
{
  guint    files;           /* corpus files read */
  guint    defined;         /* of those, the ones libvirt defined */
  guint    documents;       /* texts libvirt wrote, each compared */
  guint    devices;         /* devices compared, over all texts */
  guint    declined;        /* texts the fast reader declined */
  GString *declined_files;
  guint    forced;          /* texts made to be declined, and compared */
  GHashTable *seen;         /* the corpus paths read */
} Count;

static const char *
refused_reason (const char *file)
{
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    if (g_str_equal (refused[i].file, file))
      {
        refused[i].seen = TRUE;
        return refused[i].reason;
      }

  return NULL;
}

static void assert_objects_equal (GObject    *a,
                                  GObject    *b,
                                  const char *where);

static void
assert_models_equal (GListModel *a,
                     GListModel *b,
                     const char *where)
{
  guint n = g_list_model_get_n_items (a);

  if (n != g_list_model_get_n_items (b))
    g_error ("%s: %u items against %u", where, n, g_list_model_get_n_items (b));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) x = g_list_model_get_item (a, i);
      g_autoptr(GObject) y = g_list_model_get_item (b, i);
      g_autofree char *item = g_strdup_printf ("%s[%u]", where, i);

      assert_objects_equal (x, y, item);
    }
}

/* Every readable property of @a and @b, which are of the same type, is
 * equal: by value, by vmem_device_address_equal() for addresses, and
 * item by item for list models. A property of any other object or boxed
 * type fails the test, until this function learns to compare it. */
static void
assert_objects_equal (GObject    *a,
                      GObject    *b,
                      const char *where)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  if (G_OBJECT_TYPE (a) != G_OBJECT_TYPE (b))
    g_error ("%s: a %s against a %s", where, G_OBJECT_TYPE_NAME (a), G_OBJECT_TYPE_NAME (b));

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];
      g_auto(GValue) x = G_VALUE_INIT;
      g_auto(GValue) y = G_VALUE_INIT;
      g_autofree char *property = NULL;
      gboolean equal;

      if (!(pspec->flags & G_PARAM_READABLE))
        continue;

      property = g_strdup_printf ("%s.%s", where, pspec->name);
      g_value_init (&x, pspec->value_type);
      g_value_init (&y, pspec->value_type);
      g_object_get_property (a, pspec->name, &x);
      g_object_get_property (b, pspec->name, &y);

      if (g_type_is_a (pspec->value_type, G_TYPE_LIST_MODEL))
        {
          assert_models_equal (g_value_get_object (&x), g_value_get_object (&y), property);
          continue;
        }
      if (pspec->value_type == VMEM_TYPE_DEVICE_ADDRESS)
        {
          const VmemDeviceAddress *ax = g_value_get_boxed (&x);
          const VmemDeviceAddress *ay = g_value_get_boxed (&y);

          equal = (ax == NULL && ay == NULL) ||
                  (ax != NULL && ay != NULL && vmem_device_address_equal (ax, ay));
        }
      else if (G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_OBJECT &&
               g_value_get_object (&x) == NULL && g_value_get_object (&y) == NULL)
        /* A description's domain: it has none. */
        equal = TRUE;
      else if (G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_OBJECT ||
               G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_INTERFACE ||
               G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_BOXED ||
               G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_POINTER)
        {
          g_error ("%s: no way to compare a %s", property, g_type_name (pspec->value_type));
        }
      else
        {
          equal = g_param_values_cmp (pspec, &x, &y) == 0;
        }

      if (!equal)
        {
          g_autofree char *tx = g_strdup_value_contents (&x);
          g_autofree char *ty = g_strdup_value_contents (&y);

          g_error ("%s differs: %s against %s (full reader)", property, tx, ty);
        }
    }
}

/* @a, read by the fast reader or the live layer, is @b, the full
 * reader's: every property (the cells' and the devices' included); each
 * device as the library itself compares and writes it, which covers the
 * unknown XML it keeps and no property shows; and validation. */
static void
assert_configs_equal (VmemDomainConfig *a,
                      VmemDomainConfig *b,
                      const char       *what)
{
  GListModel *devices_a = vmem_domain_config_get_memory_devices (a);
  GListModel *devices_b = vmem_domain_config_get_memory_devices (b);
  g_autoptr(GError) error_a = NULL;
  g_autoptr(GError) error_b = NULL;
  gboolean valid_a, valid_b;

  /* The item counts too. */
  assert_objects_equal (G_OBJECT (a), G_OBJECT (b), what);

  for (guint i = 0; i < g_list_model_get_n_items (devices_b); i++)
    {
      g_autoptr(VmemMemoryDevice) x = g_list_model_get_item (devices_a, i);
      g_autoptr(VmemMemoryDevice) y = g_list_model_get_item (devices_b, i);
      g_autofree char *xml_x = vmem_memory_device_to_xml (x);
      g_autofree char *xml_y = vmem_memory_device_to_xml (y);

      if (!vmem_memory_device_equal (x, y))
        g_error ("%s: memory device %u is not equal by vmem_memory_device_equal():\n%s\n"
                 "against (full reader):\n%s", what, i, xml_x, xml_y);
      if (strcmp (xml_x, xml_y) != 0)
        g_error ("%s: memory device %u is written differently:\n%s\n"
                 "against (full reader):\n%s", what, i, xml_x, xml_y);
    }

  valid_a = vmem_domain_config_validate (a, &error_a);
  valid_b = vmem_domain_config_validate (b, &error_b);
  if (valid_a != valid_b ||
      (!valid_a && (error_a->domain != error_b->domain || error_a->code != error_b->code ||
                    strcmp (error_a->message, error_b->message) != 0)))
    g_error ("%s: validated differently: %s against %s (full reader)", what,
             valid_a ? "valid" : error_a->message, valid_b ? "valid" : error_b->message);
}

/* @xml made one the fast reader must decline, in the way
 * declined_variants[@how] says, but with the same meaning for libxml2;
 * %NULL when @xml has no place for it. */
static char *
make_declined_variant (const char *xml,
                       guint       how)
{
  const char *at;

  switch (how)
    {
    case 0:
      /* After all the reading: the result must come from a fresh object. */
      at = g_strrstr (xml, "</domain>");
      g_assert_nonnull (at);
      return g_strdup_printf ("%.*s<!-- declined -->%s", (int) (at - xml), xml, at);

    case 1:
      /* In the middle of a device the fast reader builds. */
      at = strstr (xml, "<devices>");
      if (at == NULL || (at = strstr (at, "<memory model=")) == NULL ||
          (at = strstr (at, "<size unit=")) == NULL)
        return NULL;
      at = strchr (at, '>') + 1;
      g_assert_true (g_ascii_isdigit (*at));
      return g_strdup_printf ("%.*s&#%d;%s", (int) (at - xml), xml, *at, at + 1);

    default:
      g_assert_not_reached ();
    }
}

/* Reads @xml, as libvirt wrote it, with both readers and compares. @live
 * says whether libvirt wrote a running domain's live XML. */
static void
compare_readers (const char *xml,
                 const char *what,
                 gboolean    live,
                 Count      *count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemDomainConfig) full = vmem_domain_config_new_from_xml (xml, &error);
  g_autoptr(VmemDomainConfig) fast = NULL;
  g_autoptr(VmemDomainConfig) either = NULL;

  if (full == NULL)
    g_error ("%s: the full reader refuses what libvirt wrote: %s\n%s", what, error->message, xml);

  /* That the text is what it is said to be: only live XML has an id. */
  if (live ? vmem_domain_config_get_id (full) < 0 : vmem_domain_config_get_id (full) != -1)
    g_error ("%s: libvirt wrote a domain id of %d", what, vmem_domain_config_get_id (full));

  count->documents++;
  count->devices += g_list_model_get_n_items (vmem_domain_config_get_memory_devices (full));

  fast = _vmem_domain_config_new_from_libvirt_xml_only (xml, strlen (xml));
  if (fast == NULL)
    {
      count->declined++;
      g_string_append_printf (count->declined_files, "\n  %s", what);
    }
  else
    {
      assert_configs_equal (fast, full, what);
    }

  /* And what the live layer uses, fallback and all. */
  either = _vmem_domain_config_new_from_libvirt_xml (xml, strlen (xml), &error);
  g_assert_no_error (error);
  assert_configs_equal (either, full, what);

  /* The fallback, on the same text made to be declined. */
  for (guint how = 0; how < G_N_ELEMENTS (declined_variants); how++)
    {
      g_autofree char *variant = make_declined_variant (xml, how);
      g_autofree char *variant_what = NULL;
      g_autoptr(VmemDomainConfig) declined = NULL;
      g_autoptr(VmemDomainConfig) fallback = NULL;

      if (variant == NULL)
        continue;

      variant_what = g_strdup_printf ("%s with %s", what, declined_variants[how]);
      declined = _vmem_domain_config_new_from_libvirt_xml_only (variant, strlen (variant));
      if (declined != NULL)
        g_error ("%s: the fast reader does not decline it", variant_what);

      fallback = _vmem_domain_config_new_from_libvirt_xml (variant, strlen (variant), &error);
      if (fallback == NULL)
        g_error ("%s: the fallback fails: %s", variant_what, error->message);
      assert_configs_equal (fallback, full, variant_what);
      count->forced++;
    }
}

static void
quiet_libvirt_error (void        *user_data,
                     virErrorPtr  error)
{
}

/* The live layer says when it falls back, in a debug message: counted,
 * to check that it fell back exactly when the fast reader declined, and
 * kept out of the test's output. Other messages go through. */
static void
count_fallback_message (const char     *log_domain,
                        GLogLevelFlags  log_level,
                        const char     *message,
                        gpointer        user_data)
{
  guint *fallbacks = user_data;

  if (strstr (message, "read again in full") != NULL)
    (*fallbacks)++;
  else
    g_log_default_handler (log_domain, log_level, message, NULL);
}

static void
compare_file (virConnectPtr  conn,
              const char    *subdir,
              const char    *name,
              Count         *count)
{
  g_autofree char *file = g_build_filename (subdir, name, NULL);
  g_autofree char *xml = test_corpus_read (subdir, name);
  const char *reason = refused_reason (file);
  virDomainPtr dom;

  count->files++;
  g_hash_table_add (count->seen, g_strdup (file));

  dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    {
      const char *message = virGetLastErrorMessage ();

      if (reason == NULL)
        g_error ("%s: libvirt's test driver refuses it: %s", file, message);
      if (strstr (message, reason) == NULL)
        g_error ("%s: refused, as listed, but for another reason: %s", file, message);
      g_test_message ("%s: refused by libvirt, as listed: %s", file, message);
      return;
    }
  if (reason != NULL)
    g_error ("%s: listed as refused (%s), but libvirt defines it: take it off the list",
             file, reason);
  count->defined++;

  for (guint k = 0; k < G_N_ELEMENTS (descs); k++)
    {
      g_autofree char *what = g_strdup_printf ("%s (%s)", file, descs[k].name);
      char *written;

      if (descs[k].running && virDomainIsActive (dom) != 1 && virDomainCreate (dom) != 0)
        g_error ("%s: libvirt's test driver does not start it: %s", what, virGetLastErrorMessage ());

      written = virDomainGetXMLDesc (dom, descs[k].flags);
      if (written == NULL)
        g_error ("%s: libvirt does not write it: %s", what, virGetLastErrorMessage ());
      compare_readers (written, what,
                       descs[k].running && !(descs[k].flags & VIR_DOMAIN_XML_INACTIVE), count);
      free (written);
    }

  if (virDomainIsActive (dom) == 1)
    g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  virDomainFree (dom);
}

static void
compare_dir (virConnectPtr  conn,
             const char    *subdir,
             Count         *count)
{
  g_autofree char *path = g_build_filename (test_corpus_dir (), subdir, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    g_error ("the corpus directory %s cannot be read: %s", path, error->message);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".xml"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  if (names->len == 0)
    g_error ("the corpus directory %s has no XML file", path);

  for (guint i = 0; i < names->len; i++)
    compare_file (conn, subdir, g_ptr_array_index (names, i), count);
}

/* The XML files the corpus's index lists ("  qemuxml2argvdata/x.xml  <-
 * ..."), as paths under the corpus. */
static GPtrArray *
manifest_xml_files (void)
{
  g_autofree char *manifest = test_corpus_read (".", "MANIFEST.txt");
  g_auto(GStrv) lines = g_strsplit (manifest, "\n", -1);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gsize len;

      while (g_ascii_isspace (*line))
        line++;
      len = strcspn (line, " \t");
      for (guint d = 0; d < G_N_ELEMENTS (corpus_subdirs); d++)
        {
          gsize dlen = strlen (corpus_subdirs[d]);

          if (len > dlen + 5 && strncmp (line, corpus_subdirs[d], dlen) == 0 &&
              line[dlen] == '/' && strncmp (line + len - 4, ".xml", 4) == 0)
            g_ptr_array_add (files, g_strndup (line, len));
        }
    }

  return files;
}

static void
test_corpus (void)
{
  Count count = { 0, };
  g_autoptr(GPtrArray) manifest = manifest_xml_files ();
  g_autoptr(GString) problems = g_string_new (NULL);
  virConnectPtr conn = virConnectOpen ("test:///default");
  guint fallbacks = 0;
  guint handler;

  g_assert_nonnull (conn);
  virConnSetErrorFunc (conn, NULL, quiet_libvirt_error);
  count.declined_files = g_string_new (NULL);
  count.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  handler = g_log_set_handler ("Vmem", G_LOG_LEVEL_DEBUG, count_fallback_message, &fallbacks);
  for (guint d = 0; d < G_N_ELEMENTS (corpus_subdirs); d++)
    compare_dir (conn, corpus_subdirs[d], &count);
  g_log_remove_handler ("Vmem", handler);

  g_test_message ("%u corpus files, %u defined by libvirt's test driver; %u texts libvirt wrote "
                  "(defined and running, live and inactive), %u devices in them, compared; "
                  "the fast reader declined %u%s%s",
                  count.files, count.defined, count.documents, count.devices, count.declined,
                  count.declined ? ":" : "", count.declined_files->str);
  g_test_message ("%u texts made to be declined: the fallback read each as the full reader does",
                  count.forced);

  /* Everything the corpus says it holds was read; anything else there
   * was read too. */
  for (guint i = 0; i < manifest->len; i++)
    if (!g_hash_table_contains (count.seen, g_ptr_array_index (manifest, i)))
      g_string_append_printf (problems, " %s", (char *) g_ptr_array_index (manifest, i));
  if (problems->len > 0)
    g_error ("corpus files that MANIFEST.txt lists are missing:%s", problems->str);
  if (count.files > manifest->len)
    g_test_message ("%u corpus files that MANIFEST.txt does not list were compared too",
                    count.files - manifest->len);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    if (!refused[i].seen)
      g_error ("%s is listed as refused, but the corpus lacks it", refused[i].file);

  g_assert_cmpuint (manifest->len, >, 0);
  g_assert_cmpuint (count.files, >=, manifest->len);
  g_assert_cmpuint (count.defined, ==, count.files - G_N_ELEMENTS (refused));
  g_assert_cmpuint (count.documents, ==, G_N_ELEMENTS (descs) * count.defined);
  g_assert_cmpuint (count.documents, >, 0);
  g_assert_cmpuint (count.devices, >, 0);
  /* Each text has the first variant; those with a memory device, both. */
  g_assert_cmpuint (count.forced, >=, count.documents);
  g_assert_cmpuint (fallbacks, ==, count.declined + count.forced);

  g_hash_table_unref (count.seen);
  g_string_free (count.declined_files, TRUE);
  virConnectClose (conn);
}

/* What libvirt 9.4 and later write of memory devices, and 9.0's test
 * driver cannot: virtio-mem's <target dynamicMemslots=...> (10.1) and the
 * base address of virtio-mem and virtio-pmem devices (9.4), in libvirt's
 * layout, live and inactive. The fast reader must read them itself, not
 * decline, and as the full one does. */
#define RECENT_DOMAIN(id, current) \
  "<domain type='kvm'" id ">\n" \
  "  <name>recent</name>\n" \
  "  <uuid>0b5c6c9e-3f3c-4a4e-9d6a-1f0e2d3c4b5a</uuid>\n" \
  "  <maxMemory slots='16' unit='KiB'>16777216</maxMemory>\n" \
  "  <memory unit='KiB'>7340032</memory>\n" \
  "  <currentMemory unit='KiB'>7340032</currentMemory>\n" \
  "  <vcpu placement='static'>2</vcpu>\n" \
  "  <os>\n" \
  "    <type arch='x86_64' machine='pc-q35-10.0'>hvm</type>\n" \
  "  </os>\n" \
  "  <cpu mode='custom' match='exact' check='none'>\n" \
  "    <model fallback='forbid'>qemu64</model>\n" \
  "    <numa>\n" \
  "      <cell id='0' cpus='0-1' memory='2097152' unit='KiB'/>\n" \
  "    </numa>\n" \
  "  </cpu>\n" \
  "  <devices>\n" \
  "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n" \
  "    <memory model='virtio-mem'>\n" \
  "      <target dynamicMemslots='yes'>\n" \
  "        <size unit='KiB'>4194304</size>\n" \
  "        <node>0</node>\n" \
  "        <block unit='KiB'>2048</block>\n" \
  "        <requested unit='KiB'>1048576</requested>\n" \
  current \
  "        <address base='0x140000000'/>\n" \
  "      </target>\n" \
  "      <alias name='virtiomem0'/>\n" \
  "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n" \
  "    </memory>\n" \
  "    <memory model='virtio-pmem' access='shared'>\n" \
  "      <source>\n" \
  "        <path>/tmp/virtio_pmem</path>\n" \
  "      </source>\n" \
  "      <target>\n" \
  "        <size unit='KiB'>1048576</size>\n" \
  "        <address base='0x240000000'/>\n" \
  "      </target>\n" \
  "      <alias name='virtiopmem0'/>\n" \
  "      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>\n" \
  "    </memory>\n" \
  "  </devices>\n" \
  "</domain>\n"

static void
test_recent_fields (void)
{
  static const struct
  {
    const char *what;
    const char *xml;
    gboolean    live;
  } texts[] = {
    { "recent fields (running)",
      RECENT_DOMAIN (" id='1'", "        <current unit='KiB'>1048576</current>\n"), TRUE },
    { "recent fields (inactive)", RECENT_DOMAIN ("", ""), FALSE },
  };
  Count count = { 0, };
  guint fallbacks = 0;
  guint handler;

  count.declined_files = g_string_new (NULL);
  handler = g_log_set_handler ("Vmem", G_LOG_LEVEL_DEBUG, count_fallback_message, &fallbacks);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(VmemDomainConfig) fast =
        _vmem_domain_config_new_from_libvirt_xml_only (texts[i].xml, strlen (texts[i].xml));
      GListModel *devices;
      g_autoptr(VmemMemoryDevice) vm = NULL;
      g_autoptr(VmemMemoryDevice) vp = NULL;

      compare_readers (texts[i].xml, texts[i].what, texts[i].live, &count);

      g_assert_nonnull (fast);
      devices = vmem_domain_config_get_memory_devices (fast);
      g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 2);
      vm = g_list_model_get_item (devices, 0);
      vp = g_list_model_get_item (devices, 1);
      g_assert_cmpint (vmem_virtio_mem_get_dynamic_memslots (VMEM_VIRTIO_MEM (vm)), ==,
                       VMEM_TRISTATE_YES);
      g_assert_cmpuint (vmem_virtio_mem_get_address_base (VMEM_VIRTIO_MEM (vm)), ==,
                        G_GUINT64_CONSTANT (0x140000000));
      g_assert_cmpuint (vmem_virtio_pmem_get_address_base (VMEM_VIRTIO_PMEM (vp)), ==,
                        G_GUINT64_CONSTANT (0x240000000));
    }

  g_log_remove_handler ("Vmem", handler);

  g_assert_cmpuint (count.documents, ==, G_N_ELEMENTS (texts));
  g_assert_cmpuint (count.declined, ==, 0);
  g_assert_cmpuint (count.forced, ==, 2 * G_N_ELEMENTS (texts));
  g_assert_cmpuint (fallbacks, ==, count.forced);
  g_string_free (count.declined_files, TRUE);
}

/* That assert_configs_equal() sees a difference in each place it looks:
 * two documents that differ in one thing, read by the full reader, are
 * compared in a subprocess, which must fail and name the difference. */
#define COMPARED_DOMAIN(cell_memory, extra, node) \
  "<domain type='test'><name>compared</name>" \
  "<maxMemory slots='4' unit='KiB'>8388608</maxMemory><memory unit='KiB'>2097152</memory>" \
  "<cpu><numa><cell id='0' cpus='0' memory='" cell_memory "' unit='KiB'/>" \
  "<cell id='1' cpus='1' memory='1048576' unit='KiB'/></numa></cpu>" \
  "<devices><memory model='dimm'>" extra "<target><size unit='KiB'>524288</size>" \
  "<node>" node "</node></target></memory></devices></domain>"

static const struct
{
  const char *name;
  const char *xml;
  const char *message;
} comparator_cases[] = {
  { "same", COMPARED_DOMAIN ("1048576", "", "0"), NULL },
  { "device-property", COMPARED_DOMAIN ("1048576", "", "1"),
    "*memory-devices[0].node differs: 1 against 0*" },
  { "cell-property", COMPARED_DOMAIN ("524288", "", "0"),
    "*numa-cells[0].memory differs: 536870912 against 1073741824*" },
  { "device-unknown-xml", COMPARED_DOMAIN ("1048576", "<unknown/>", "0"),
    "*memory device 0 is not equal by vmem_memory_device_equal()*<unknown/>*" },
};

static void
test_comparator (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VmemDomainConfig) a = vmem_domain_config_new_from_xml (comparator_cases[i].xml, &error);
      g_autoptr(VmemDomainConfig) b = NULL;

      g_assert_no_error (error);
      b = vmem_domain_config_new_from_xml (comparator_cases[0].xml, &error);
      g_assert_no_error (error);
      assert_configs_equal (a, b, "compared");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  if (comparator_cases[i].message == NULL)
    {
      g_test_trap_assert_passed ();
    }
  else
    {
      g_test_trap_assert_failed ();
      g_test_trap_assert_stderr (comparator_cases[i].message);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/readers/corpus", test_corpus);
  g_test_add_func ("/readers/recent-fields", test_recent_fields);
  for (guint i = 0; i < G_N_ELEMENTS (comparator_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/readers/comparator/%s", comparator_cases[i].name);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_comparator);
    }

  return g_test_run ();
}
