/* test-readers.c: the two XML readers agree on everything libvirt writes
 *
 * The live layer reads the XML libvirt sends with a fast reader of its
 * own (vmem_xml_read_trusted()), which skips what the memory view does
 * not need and falls back to the full libxml2 reader on anything outside
 * the plain subset libvirt writes. Its results must be the full reader's.
 *
 * /readers/corpus takes every domain of libvirt's own memory-device test
 * corpus, has libvirt write it (defined on the test driver, then read back
 * with virDomainGetXMLDesc(), live and inactive, as the library asks for
 * it), and reads that text with both readers: every property of the
 * configuration, of each NUMA cell and of each device must be equal, or
 * the fast reader must have declined, which the test counts and names.
 * Files the test driver refuses are listed below with libvirt's reason;
 * the test fails when one of them is accepted, or another one is refused.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <vmem.h>

#include "vmem-domain-config-private.h"

#include "test-util.h"

/* Corpus files libvirt itself refuses to define, and why. */
static const struct
{
  const char *file;
  const char *reason;
} refused[] = {
  /* A <memory> device for NUMA node 1 in a guest with one node: the
   * corpus's expected error (memory-hotplug-invalid-targetnode.err). */
  { "qemuxml2argvdata/memory-hotplug-invalid-targetnode.xml",
    "can't add memory backend for guest node '1'" },
};

static const char *
refused_reason (const char *file)
{
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    if (g_str_equal (refused[i].file, file))
      return refused[i].reason;

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
 * item by item for list models. */
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
      else if (G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_OBJECT ||
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

          g_error ("%s differs: %s (fast reader) against %s (full reader)", property, tx, ty);
        }
    }
}

typedef struct
{
  guint files;
  guint documents;
  guint devices;
  guint declined;
  GString *declined_files;
} Count;

/* Reads @xml, as libvirt wrote it, with both readers and compares. */
static void
compare_readers (const char *xml,
                 const char *what,
                 Count      *count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemDomainConfig) full = vmem_domain_config_new_from_xml (xml, &error);
  g_autoptr(VmemDomainConfig) fast = NULL;
  g_autoptr(VmemDomainConfig) live = NULL;

  if (full == NULL)
    g_error ("%s: the full reader refuses what libvirt wrote: %s\n%s", what, error->message, xml);

  count->documents++;
  count->devices += g_list_model_get_n_items (vmem_domain_config_get_memory_devices (full));

  fast = _vmem_domain_config_new_from_libvirt_xml_only (xml, strlen (xml));
  if (fast == NULL)
    {
      count->declined++;
      g_string_append_printf (count->declined_files, " %s", what);
    }
  else
    {
      assert_objects_equal (G_OBJECT (fast), G_OBJECT (full), what);
    }

  /* And what the live layer uses, fallback and all. */
  live = _vmem_domain_config_new_from_libvirt_xml (xml, strlen (xml), &error);
  g_assert_no_error (error);
  assert_objects_equal (G_OBJECT (live), G_OBJECT (full), what);
}

static void
quiet_libvirt_error (void        *user_data,
                     virErrorPtr  error)
{
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

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".xml"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_assert_cmpuint (names->len, >, 0);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_build_filename (subdir, g_ptr_array_index (names, i), NULL);
      g_autofree char *xml = test_corpus_read (subdir, g_ptr_array_index (names, i));
      const char *reason = refused_reason (file);
      virDomainPtr dom = virDomainDefineXML (conn, xml);
      static const struct { unsigned int flags; const char *name; } descs[] = {
        { 0, "live" },
        { VIR_DOMAIN_XML_INACTIVE, "inactive" },
      };

      count->files++;
      if (dom == NULL)
        {
          const char *message = virGetLastErrorMessage ();

          if (reason == NULL)
            g_error ("%s: libvirt's test driver refuses it: %s", file, message);
          if (strstr (message, reason) == NULL)
            g_error ("%s: refused, as listed, but for another reason: %s", file, message);
          g_test_message ("%s: refused by libvirt, as listed: %s", file, message);
          continue;
        }
      if (reason != NULL)
        g_error ("%s: listed as refused (%s), but libvirt defines it: take it off the list",
                 file, reason);

      for (guint k = 0; k < G_N_ELEMENTS (descs); k++)
        {
          g_autofree char *what = g_strdup_printf ("%s (%s)", file, descs[k].name);
          char *written = virDomainGetXMLDesc (dom, descs[k].flags);

          if (written == NULL)
            g_error ("%s: libvirt does not write it: %s", what, virGetLastErrorMessage ());
          compare_readers (written, what, count);
          free (written);
        }

      g_assert_cmpint (virDomainUndefine (dom), ==, 0);
      virDomainFree (dom);
    }
}

static void
test_corpus (void)
{
  Count count = { 0, 0, 0, 0, g_string_new (NULL) };
  virConnectPtr conn = virConnectOpen ("test:///default");

  g_assert_nonnull (conn);
  virConnSetErrorFunc (conn, NULL, quiet_libvirt_error);

  compare_dir (conn, "qemuxml2argvdata", &count);
  compare_dir (conn, "qemuxml2xmloutdata", &count);

  g_test_message ("%u corpus files, %u documents written by libvirt, %u devices compared; "
                  "the fast reader declined %u:%s", count.files, count.documents, count.devices,
                  count.declined, count.declined ? count.declined_files->str : " none");
  /* The corpus has 36 domains of memory devices; 35 define. */
  g_assert_cmpuint (count.files, >=, 36);
  g_assert_cmpuint (count.documents, ==, 2 * (count.files - G_N_ELEMENTS (refused)));
  g_assert_cmpuint (count.devices, >, 0);

  g_string_free (count.declined_files, TRUE);
  virConnectClose (conn);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/readers/corpus", test_corpus);

  return g_test_run ();
}
