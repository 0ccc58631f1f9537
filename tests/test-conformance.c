/* test-conformance.c: libvirt's own test data, read and written back
 *
 * For every domain XML in the corpus's qemuxml2argvdata directory:
 *
 *  - when libvirt refuses it (a same-stem .err file), the domain parses and
 *    vmem_domain_config_validate() fails with VMEM_ERROR_INVALID_CONFIG and
 *    libvirt's message;
 *  - otherwise the domain validates, and each <devices>/<memory> element
 *    (counted here with XPath) is one device, in order, that survives
 *    parse -> to_xml -> parse as an equal object with the same XML, and
 *    whose XML is the same tree as the input's and as libvirt's expected
 *    output in qemuxml2xmloutdata, up to the units of sizes.
 *
 * libvirt's qemu driver changes a few devices after parsing (it assigns
 * DIMM slots, it aligns ppc64 sizes); those outputs cannot come from any
 * parser. The table below names each such device and the one difference
 * allowed, and the test checks that the difference is exactly that one,
 * computing the value libvirt computes. Every input without an expected
 * output is listed too, with the reason. The test fails if the corpus is
 * missing, if a file is not accounted for, or if nothing was covered.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <vmem.h>

#include "test-util.h"

#define MiB ((guint64) 1 << 20)

typedef enum {
  /* The expected output has <address type='dimm' slot='N'/> that the
   * input lacks: the driver gives each DIMM without an address the lowest
   * slot no other device holds. */
  DIFF_DIMM_SLOT_ASSIGNED,
  /* The expected size is the input size rounded up to 256 MiB: the
   * driver's memory-module alignment on ppc64, applied on an ABI update. */
  DIFF_PPC64_DIMM_ROUND_UP,
  /* The expected size is the label size plus (size - label size) rounded
   * down to 256 MiB: the driver's NVDIMM alignment on ppc64, applied on
   * an ABI update. */
  DIFF_PPC64_NVDIMM_ALIGN,
} DiffKind;

typedef struct
{
  const char *stem;
  guint       device;
  DiffKind    kind;
  const char *description;
  gboolean    seen;
} AllowedDifference;

static AllowedDifference allowed_differences[] = {
  { "memory-hotplug-dimm", 0, DIFF_DIMM_SLOT_ASSIGNED,
    "expected has <address type='dimm' slot='N'/> that the input lacks (slot assigned by the qemu driver)" },
  { "memory-hotplug-dimm", 1, DIFF_DIMM_SLOT_ASSIGNED,
    "expected has <address type='dimm' slot='N'/> that the input lacks (slot assigned by the qemu driver)" },
  { "memory-hotplug-ppc64-nonuma-abi-update", 0, DIFF_PPC64_DIMM_ROUND_UP,
    "expected size is the input size rounded up to 256 MiB (ppc64 dimm alignment)" },
  { "memory-hotplug-ppc64-nonuma-abi-update", 1, DIFF_PPC64_DIMM_ROUND_UP,
    "expected size is the input size rounded up to 256 MiB (ppc64 dimm alignment)" },
  { "memory-hotplug-nvdimm-ppc64-abi-update", 0, DIFF_PPC64_NVDIMM_ALIGN,
    "expected size is label + (size - label) rounded down to 256 MiB (ppc64 nvdimm alignment)" },
};

typedef struct
{
  const char *stem;
  gboolean    err_case;
  const char *reason;
  gboolean    seen;
} NoExpectedOutput;

static NoExpectedOutput no_expected_output[] = {
  { "memory-hotplug-invalid-targetnode", TRUE,
    "an .err case: libvirt refuses the domain (the device's NUMA node does not exist)" },
  { "memory-hotplug-nonuma", TRUE,
    "an .err case: libvirt refuses memory hotplug without a NUMA node on x86" },
};

typedef struct
{
  char *stem;
  char *input_path;
  char *err_path;          /* NULL unless libvirt refuses the input */
  GPtrArray *expected;     /* paths of the expected outputs */
} FileCase;

static struct {
  char      *corpus;
  char      *argv_dir;
  char      *out_dir;
  GPtrArray *cases;        /* of FileCase */
  char      *corpus_problem;
  guint      files_done;
  guint      devices_done;
  guint      devices_compared;
  guint      err_cases_done;
} state;

static void
file_case_free (gpointer data)
{
  FileCase *fc = data;

  g_free (fc->stem);
  g_free (fc->input_path);
  g_free (fc->err_path);
  g_ptr_array_unref (fc->expected);
  g_free (fc);
}

static const NoExpectedOutput *
find_no_expected (const char *stem)
{
  for (gsize i = 0; i < G_N_ELEMENTS (no_expected_output); i++)
    if (g_str_equal (no_expected_output[i].stem, stem))
      return &no_expected_output[i];

  return NULL;
}

static AllowedDifference *
find_allowed (const char *stem,
              guint       device)
{
  for (gsize i = 0; i < G_N_ELEMENTS (allowed_differences); i++)
    if (g_str_equal (allowed_differences[i].stem, stem) &&
        allowed_differences[i].device == device)
      return &allowed_differences[i];

  return NULL;
}

/* Whether @name, a file of qemuxml2xmloutdata, is an expected output of
 * the input @stem: "<stem>.xml", or "<stem>.<anything>.xml". */
static gboolean
is_expected_output_of (const char *name,
                       const char *stem)
{
  gsize stem_len = strlen (stem);

  return g_str_has_suffix (name, ".xml") &&
         strncmp (name, stem, stem_len) == 0 &&
         name[stem_len] == '.';
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GPtrArray *
sorted_dir (const char  *path,
            GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  GPtrArray *names;
  const char *name;

  if (dir == NULL)
    return NULL;

  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  return names;
}

/* Reads the corpus and accounts for every file in it; what cannot be
 * accounted for is kept in state.corpus_problem for /conformance/corpus. */
static void
scan_corpus (void)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) outputs_used = g_hash_table_new (g_str_hash, g_str_equal);

  state.cases = g_ptr_array_new_with_free_func (file_case_free);
  state.argv_dir = g_build_filename (state.corpus, "qemuxml2argvdata", NULL);
  state.out_dir = g_build_filename (state.corpus, "qemuxml2xmloutdata", NULL);

  if (!g_file_test (state.corpus, G_FILE_TEST_IS_DIR))
    {
      state.corpus_problem = g_strdup_printf ("the corpus directory %s does not exist", state.corpus);
      return;
    }

  inputs = sorted_dir (state.argv_dir, &error);
  if (inputs == NULL)
    {
      state.corpus_problem = g_strdup_printf ("%s: %s", state.argv_dir, error->message);
      return;
    }
  outputs = sorted_dir (state.out_dir, &error);
  if (outputs == NULL)
    {
      state.corpus_problem = g_strdup_printf ("%s: %s", state.out_dir, error->message);
      return;
    }

  for (guint i = 0; i < inputs->len; i++)
    {
      const char *name = inputs->pdata[i];
      g_autofree char *err_name = NULL;
      g_autofree char *err_path = NULL;
      const NoExpectedOutput *no_expected;
      FileCase *fc;

      if (g_str_has_suffix (name, ".err"))
        {
          g_autofree char *stem = g_strndup (name, strlen (name) - 4);
          g_autofree char *xml_name = g_strconcat (stem, ".xml", NULL);

          if (!g_ptr_array_find_with_equal_func (inputs, xml_name, g_str_equal, NULL))
            g_string_append_printf (problems, "%s has no input %s\n", name, xml_name);
          continue;
        }
      if (!g_str_has_suffix (name, ".xml"))
        {
          g_string_append_printf (problems, "%s is neither an input nor an .err file\n", name);
          continue;
        }

      fc = g_new0 (FileCase, 1);
      fc->stem = g_strndup (name, strlen (name) - 4);
      fc->input_path = g_build_filename (state.argv_dir, name, NULL);
      fc->expected = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (state.cases, fc);

      err_name = g_strconcat (fc->stem, ".err", NULL);
      err_path = g_build_filename (state.argv_dir, err_name, NULL);
      if (g_file_test (err_path, G_FILE_TEST_IS_REGULAR))
        fc->err_path = g_steal_pointer (&err_path);

      for (guint j = 0; j < outputs->len; j++)
        if (is_expected_output_of (outputs->pdata[j], fc->stem))
          {
            g_ptr_array_add (fc->expected, g_build_filename (state.out_dir, outputs->pdata[j], NULL));
            g_hash_table_add (outputs_used, outputs->pdata[j]);
          }

      no_expected = find_no_expected (fc->stem);
      if (fc->expected->len == 0 && no_expected == NULL)
        g_string_append_printf (problems, "%s has no expected output and is not in the table\n", name);
      if (fc->expected->len > 0 && no_expected != NULL)
        g_string_append_printf (problems, "%s is in the table as having no expected output, but has one\n", name);
      if (no_expected != NULL && no_expected->err_case != (fc->err_path != NULL))
        g_string_append_printf (problems, "%s: the table says %s an .err case, the corpus says otherwise\n",
                                name, no_expected->err_case ? "it is" : "it is not");
    }

  for (guint j = 0; j < outputs->len; j++)
    if (!g_hash_table_contains (outputs_used, outputs->pdata[j]))
      g_string_append_printf (problems, "expected output %s belongs to no input\n",
                              (const char *) outputs->pdata[j]);

  for (gsize i = 0; i < G_N_ELEMENTS (no_expected_output); i++)
    {
      g_autofree char *name = g_strconcat (no_expected_output[i].stem, ".xml", NULL);

      if (!g_ptr_array_find_with_equal_func (inputs, name, g_str_equal, NULL))
        g_string_append_printf (problems, "the table names %s, which the corpus lacks\n", name);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (allowed_differences); i++)
    {
      g_autofree char *name = g_strconcat (allowed_differences[i].stem, ".xml", NULL);

      if (!g_ptr_array_find_with_equal_func (inputs, name, g_str_equal, NULL))
        g_string_append_printf (problems, "the table names %s, which the corpus lacks\n", name);
    }

  if (state.cases->len == 0)
    g_string_append_printf (problems, "%s holds no domain XML\n", state.argv_dir);

  if (problems->len > 0)
    state.corpus_problem = g_string_free (g_steal_pointer (&problems), FALSE);
}

static void
test_corpus (void)
{
  if (state.corpus_problem != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (g_strchomp (state.corpus_problem), "\n", -1);
      g_autofree char *joined = g_strjoinv ("; ", lines);

      /* One line, so that TAP shows all of it. */
      g_test_fail_printf ("conformance corpus at %s: %s", state.corpus, joined);
      return;
    }

  g_test_message ("corpus %s: %u inputs", state.corpus, state.cases->len);
}

/* Units, as libvirt's virScaleInteger() reads them, written here again so
 * that the test does not trust the library to check itself. */
static gboolean
scale_to_bytes (const char *text,
                const char *unit,
                guint64    *out)
{
  guint64 value = 0;
  guint64 scale = 1;
  guint64 base;
  const char *p;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (p = text; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      if (value > (G_MAXUINT64 - (guint64) (*p - '0')) / 10)
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
    }

  if (g_ascii_strcasecmp (unit, "b") == 0 || g_ascii_strcasecmp (unit, "byte") == 0 ||
      g_ascii_strcasecmp (unit, "bytes") == 0)
    scale = 1;
  else
    {
      const char *order = "kmgtpe";
      const char *pos;

      if (unit[0] == '\0')
        return FALSE;
      if (unit[1] == '\0' || g_ascii_strcasecmp (unit + 1, "iB") == 0)
        base = 1024;
      else if (g_ascii_tolower (unit[1]) == 'b' && unit[2] == '\0')
        base = 1000;
      else
        return FALSE;

      pos = strchr (order, g_ascii_tolower (unit[0]));
      if (pos == NULL)
        return FALSE;
      for (const char *q = order; q <= pos; q++)
        scale *= base;
    }

  if (value != 0 && value > G_MAXUINT64 / scale)
    return FALSE;

  *out = value * scale;
  return TRUE;
}

typedef struct
{
  const char *name;
  const char *value;
} CanonAttr;

static int
canon_attr_compare (gconstpointer a,
                    gconstpointer b)
{
  return strcmp (((const CanonAttr *) a)->name, ((const CanonAttr *) b)->name);
}

/* One line per element: its name, its attributes sorted by name, its own
 * text trimmed; then its child elements in order, indented. An element
 * with a unit and an integer text is written in bytes, without the unit. */
static void
canon_append (GString *out,
              xmlNode *node,
              guint    depth)
{
  g_autoptr(GArray) attrs = g_array_new (FALSE, FALSE, sizeof (CanonAttr));
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *bytes = NULL;
  xmlChar *unit = xmlGetProp (node, (const xmlChar *) "unit");
  guint64 value = 0;

  for (xmlNode *child = node->children; child; child = child->next)
    if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
      g_string_append (text, (const char *) child->content);
  g_strstrip (text->str);
  g_string_set_size (text, strlen (text->str));

  if (unit != NULL && scale_to_bytes (text->str, (const char *) unit, &value))
    bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, value);

  for (xmlAttr *attr = node->properties; attr; attr = attr->next)
    {
      CanonAttr a = { (const char *) attr->name, NULL };

      if (bytes != NULL && g_str_equal (a.name, "unit"))
        continue;
      a.value = attr->children != NULL ? (const char *) attr->children->content : "";
      g_array_append_val (attrs, a);
    }
  g_array_sort (attrs, canon_attr_compare);

  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
  g_string_append_printf (out, "<%s", (const char *) node->name);
  for (guint i = 0; i < attrs->len; i++)
    {
      const CanonAttr *a = &g_array_index (attrs, CanonAttr, i);

      g_string_append_printf (out, " %s='%s'", a->name, a->value);
    }
  g_string_append_c (out, '>');
  g_string_append (out, bytes != NULL ? bytes : text->str);
  g_string_append_c (out, '\n');

  xmlFree (unit);

  for (xmlNode *child = node->children; child; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      canon_append (out, child, depth + 1);
}

static char *
canonical (xmlNode *node)
{
  GString *out = g_string_new (NULL);

  g_assert_true (node->type == XML_ELEMENT_NODE);
  canon_append (out, node, 0);

  return g_string_free (out, FALSE);
}

static xmlNode *
child_element (xmlNode    *node,
               const char *name)
{
  for (xmlNode *child = node->children; child; child = child->next)
    if (child->type == XML_ELEMENT_NODE && g_str_equal ((const char *) child->name, name))
      return child;

  return NULL;
}

static guint
count_child_elements (xmlNode    *node,
                      const char *name)
{
  guint n = 0;

  for (xmlNode *child = node->children; child; child = child->next)
    if (child->type == XML_ELEMENT_NODE && g_str_equal ((const char *) child->name, name))
      n++;

  return n;
}

static guint
count_attributes (xmlNode *node)
{
  guint n = 0;

  for (xmlAttr *attr = node->properties; attr; attr = attr->next)
    n++;

  return n;
}

static char *
get_attr (xmlNode    *node,
          const char *name)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  char *copy = g_strdup ((const char *) value);

  xmlFree (value);
  return copy;
}

static void
assert_same_tree (const char *what,
                  const char *expected,
                  const char *got)
{
  if (g_strcmp0 (expected, got) != 0)
    g_error ("%s differs.\nexpected:\n%s\ngot:\n%s", what, expected, got);
}

/* The slots libvirt's qemu driver gives the DIMMs of @input that have no
 * address: in document order, the lowest slot not yet held. Returns, for
 * each <devices>/<memory>, its slot, or -1. */
static GArray *
assigned_dimm_slots (xmlDoc *input)
{
  g_autoptr(GPtrArray) memories = test_xpath_nodes (input, "/domain/devices/memory");
  g_autoptr(GHashTable) used = g_hash_table_new (g_direct_hash, g_direct_equal);
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; i < memories->len; i++)
    {
      xmlNode *address = child_element (memories->pdata[i], "address");
      g_autofree char *type = address ? get_attr (address, "type") : NULL;
      g_autofree char *slot = address ? get_attr (address, "slot") : NULL;

      if (g_strcmp0 (type, "dimm") == 0 && slot != NULL)
        g_hash_table_add (used, GUINT_TO_POINTER ((guint) g_ascii_strtoull (slot, NULL, 0) + 1));
    }

  for (guint i = 0; i < memories->len; i++)
    {
      g_autofree char *model = get_attr (memories->pdata[i], "model");
      int slot = -1;

      if (child_element (memories->pdata[i], "address") == NULL &&
          (g_strcmp0 (model, "dimm") == 0 || g_strcmp0 (model, "nvdimm") == 0))
        {
          guint s = 0;

          while (g_hash_table_contains (used, GUINT_TO_POINTER (s + 1)))
            s++;
          g_hash_table_add (used, GUINT_TO_POINTER (s + 1));
          slot = (int) s;
        }
      g_array_append_val (slots, slot);
    }

  return slots;
}

/* Replaces the <target><size> of the device in @doc by @bytes. */
static void
set_target_size (xmlDoc  *doc,
                 guint64  bytes)
{
  xmlNode *target = child_element (xmlDocGetRootElement (doc), "target");
  xmlNode *size = target ? child_element (target, "size") : NULL;
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);

  g_assert_nonnull (size);
  xmlNodeSetContent (size, (const xmlChar *) text);
  xmlSetProp (size, (const xmlChar *) "unit", (const xmlChar *) "bytes");
}

/* Compares the device @ours (as the library wrote it) with the Nth
 * <memory> of libvirt's expected output, allowing only the difference the
 * table names for it. */
static void
compare_with_expected (const FileCase   *fc,
                       guint             index,
                       VmemMemoryDevice *device,
                       const char       *ours,
                       xmlDoc           *input,
                       GArray           *slots,
                       const char       *expected_path,
                       xmlNode          *expected_node)
{
  AllowedDifference *allowed = find_allowed (fc->stem, index);
  g_autoptr(xmlDoc) ours_doc = test_xml_doc_new (ours);
  g_autofree char *ours_canon = canonical (xmlDocGetRootElement (ours_doc));
  g_autofree char *expected_canon = canonical (expected_node);
  g_autofree char *what = g_strdup_printf ("%s device %u vs %s", fc->stem, index, expected_path);
  g_autofree char *arch = test_xpath_string (input, "/domain/os/type/@arch");

  if (allowed == NULL)
    {
      assert_same_tree (what, expected_canon, ours_canon);
      return;
    }

  g_test_message ("%s: allowed difference: %s", what, allowed->description);
  allowed->seen = TRUE;

  /* The one difference is there: the trees are not equal as they are. */
  if (g_strcmp0 (ours_canon, expected_canon) == 0)
    g_error ("%s: the table allows '%s', but the trees are equal: remove the entry",
             what, allowed->description);

  switch (allowed->kind)
    {
    case DIFF_DIMM_SLOT_ASSIGNED:
      {
        xmlNode *copy = xmlDocCopyNode (expected_node, expected_node->doc, 1);
        xmlNode *address = child_element (copy, "address");
        g_autofree char *type = NULL;
        g_autofree char *slot = NULL;
        g_autofree char *slot_expected = NULL;
        g_autofree char *copy_canon = NULL;
        int assigned = g_array_index (slots, int, index);

        /* The input and the library have no address; libvirt's has one,
         * the slot the driver assigns, and nothing else. */
        g_assert_null (vmem_memory_device_get_address (device));
        g_assert_null (child_element (xmlDocGetRootElement (ours_doc), "address"));
        g_assert_cmpint (assigned, >=, 0);
        g_assert_nonnull (address);
        g_assert_cmpuint (count_child_elements (copy, "address"), ==, 1);
        type = get_attr (address, "type");
        slot = get_attr (address, "slot");
        slot_expected = g_strdup_printf ("%d", assigned);
        g_assert_cmpstr (type, ==, "dimm");
        g_assert_cmpstr (slot, ==, slot_expected);
        g_assert_cmpuint (count_attributes (address), ==, 2);

        xmlUnlinkNode (address);
        xmlFreeNode (address);
        copy_canon = canonical (copy);
        xmlFreeNode (copy);
        assert_same_tree (what, copy_canon, ours_canon);
      }
      break;

    case DIFF_PPC64_DIMM_ROUND_UP:
    case DIFF_PPC64_NVDIMM_ALIGN:
      {
        const guint64 align = 256 * MiB;
        guint64 size = vmem_memory_device_get_size (device);
        guint64 aligned;
        g_autofree char *aligned_canon = NULL;

        g_assert_cmpstr (arch, ==, "ppc64");

        if (allowed->kind == DIFF_PPC64_DIMM_ROUND_UP)
          {
            g_assert_true (VMEM_IS_DIMM (device));
            aligned = (size + align - 1) / align * align;
          }
        else
          {
            guint64 label;

            g_assert_true (VMEM_IS_NVDIMM (device));
            label = vmem_nvdimm_get_label_size (VMEM_NVDIMM (device));
            g_assert_cmpuint (label, >, 0);
            g_assert_cmpuint (size, >=, align + label);
            aligned = (size - label) / align * align + label;
          }

        g_test_message ("%s: size %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT,
                        what, size, aligned);
        g_assert_cmpuint (aligned, !=, size);
        set_target_size (ours_doc, aligned);
        aligned_canon = canonical (xmlDocGetRootElement (ours_doc));
        assert_same_tree (what, expected_canon, aligned_canon);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
test_file (gconstpointer data)
{
  const FileCase *fc = data;
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(xmlDoc) input = NULL;
  g_autoptr(GPtrArray) input_memories = NULL;
  g_autoptr(VmemDomainConfig) config = NULL;
  g_autoptr(GArray) slots = NULL;
  g_autoptr(GPtrArray) expected_docs = g_ptr_array_new_with_free_func ((GDestroyNotify) xmlFreeDoc);
  g_autoptr(GPtrArray) expected_memories = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autofree char *name = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *arch = NULL;
  g_autofree char *slots_text = NULL;
  GListModel *devices;
  guint n_devices;

  g_assert_true (g_file_get_contents (fc->input_path, &xml, NULL, &error));
  g_assert_no_error (error);

  input = test_xml_doc_new (xml);
  input_memories = test_xpath_nodes (input, "/domain/devices/memory");
  slots = assigned_dimm_slots (input);

  config = vmem_domain_config_new_from_xml (xml, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);

  /* The domain's own values. */
  name = test_xpath_string (input, "/domain/name");
  uuid = test_xpath_string (input, "/domain/uuid");
  arch = test_xpath_string (input, "/domain/os/type/@arch");
  slots_text = test_xpath_string (input, "/domain/maxMemory/@slots");
  g_assert_cmpstr (vmem_domain_config_get_name (config), ==, name);
  g_assert_cmpstr (vmem_domain_config_get_uuid (config), ==, uuid);
  g_assert_cmpstr (vmem_domain_config_get_arch (config), ==, arch);
  g_assert_cmpint (vmem_domain_config_get_id (config), ==, -1);
  g_assert_cmpuint (vmem_domain_config_get_max_memory_slots (config), ==,
                    slots_text ? g_ascii_strtoull (slots_text, NULL, 10) : 0);
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_config_get_numa_cells (config)), ==,
                    test_xpath_count (input, "/domain/cpu/numa/cell"));

  /* One device per <devices>/<memory>, counted independently. */
  devices = vmem_domain_config_get_memory_devices (config);
  n_devices = g_list_model_get_n_items (devices);
  g_assert_cmpuint (n_devices, ==, input_memories->len);
  g_assert_cmpuint (n_devices, ==, test_xpath_count (input, "/domain/devices/memory"));

  if (fc->err_path != NULL)
    {
      static const char prefix[] = "unsupported configuration: ";
      g_autofree char *err = NULL;
      const char *message;

      g_assert_true (g_file_get_contents (fc->err_path, &err, NULL, &error));
      g_assert_no_error (error);
      message = g_strchomp (err);
      if (g_str_has_prefix (message, prefix))
        message += strlen (prefix);

      g_assert_false (vmem_domain_config_validate (config, &error));
      g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG);
      g_assert_cmpstr (error->message, ==, message);
      g_clear_error (&error);
      state.err_cases_done++;
    }
  else
    {
      /* libvirt accepts the domain: so does the library. */
      g_assert_true (vmem_domain_config_validate (config, &error));
      g_assert_no_error (error);

      g_assert_cmpuint (fc->expected->len, >, 0);
      for (guint e = 0; e < fc->expected->len; e++)
        {
          g_autofree char *expected_xml = NULL;
          xmlDoc *doc;
          GPtrArray *memories;

          g_assert_true (g_file_get_contents (fc->expected->pdata[e], &expected_xml, NULL, &error));
          g_assert_no_error (error);
          doc = test_xml_doc_new (expected_xml);
          g_ptr_array_add (expected_docs, doc);
          memories = test_xpath_nodes (doc, "/domain/devices/memory");
          g_ptr_array_add (expected_memories, memories);

          if (memories->len != n_devices)
            g_error ("%s has %u memory devices, the input %u",
                     (const char *) fc->expected->pdata[e], memories->len, n_devices);
        }
    }

  for (guint i = 0; i < n_devices; i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, i);
      g_autoptr(VmemMemoryDevice) again = NULL;
      g_autofree char *model = get_attr (input_memories->pdata[i], "model");
      g_autofree char *ours = NULL;
      g_autofree char *ours_again = NULL;
      g_autofree char *input_canon = NULL;
      g_autofree char *ours_canon = NULL;
      g_autoptr(xmlDoc) ours_doc = NULL;
      g_autofree char *what = g_strdup_printf ("%s device %u vs the input", fc->stem, i);
      g_autoptr(GEnumClass) model_class = g_type_class_ref (VMEM_TYPE_MEMORY_MODEL);
      GEnumValue *model_value;

      g_assert_nonnull (device);
      g_assert_true (VMEM_IS_MEMORY_DEVICE (device));

      /* The model, by libvirt's name for it. */
      model_value = g_enum_get_value (model_class, vmem_memory_device_get_model (device));
      g_assert_nonnull (model_value);
      g_assert_cmpstr (model_value->value_nick, ==, model);

      /* parse -> to_xml -> parse. */
      ours = vmem_memory_device_to_xml (device);
      again = vmem_memory_device_new_from_xml (ours, &error);
      g_assert_no_error (error);
      g_assert_nonnull (again);
      g_assert_true (G_OBJECT_TYPE (again) == G_OBJECT_TYPE (device));
      g_assert_true (vmem_memory_device_equal (device, again));
      g_assert_true (vmem_memory_device_equal (again, device));
      ours_again = vmem_memory_device_to_xml (again);
      g_assert_cmpstr (ours_again, ==, ours);

      /* What the library writes is the input's tree. */
      ours_doc = test_xml_doc_new (ours);
      ours_canon = canonical (xmlDocGetRootElement (ours_doc));
      input_canon = canonical (input_memories->pdata[i]);
      assert_same_tree (what, input_canon, ours_canon);

      /* And libvirt's. */
      for (guint e = 0; e < expected_memories->len; e++)
        {
          GPtrArray *memories = expected_memories->pdata[e];

          compare_with_expected (fc, i, device, ours, input, slots,
                                 fc->expected->pdata[e], memories->pdata[i]);
          state.devices_compared++;
        }

      state.devices_done++;
    }

  state.files_done++;
  g_test_message ("%s: %u devices%s", fc->stem, n_devices,
                  fc->err_path ? " (refused, as libvirt refuses it)" : "");
}

static void
test_totals (void)
{
  g_autofree char *summary = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (allowed_differences); i++)
    if (!allowed_differences[i].seen)
      g_test_fail_printf ("the allowed difference for %s device %u (%s) was never met",
                          allowed_differences[i].stem, allowed_differences[i].device,
                          allowed_differences[i].description);

  for (gsize i = 0; i < G_N_ELEMENTS (no_expected_output); i++)
    {
      const NoExpectedOutput *entry = &no_expected_output[i];

      for (guint j = 0; state.cases && j < state.cases->len; j++)
        {
          const FileCase *fc = state.cases->pdata[j];

          if (g_str_equal (fc->stem, entry->stem))
            g_test_message ("%s: no expected output: %s", entry->stem, entry->reason);
        }
    }

  summary = g_strdup_printf ("conformance: %u of %u files, %u devices "
                             "(%u comparisons with libvirt's expected output), "
                             "%u refused as libvirt refuses them",
                             state.files_done, state.cases ? state.cases->len : 0,
                             state.devices_done, state.devices_compared,
                             state.err_cases_done);
  g_test_message ("%s", summary);
  g_print ("# %s\n", summary);

  if (state.files_done == 0 || state.devices_done == 0 || state.devices_compared == 0)
    g_test_fail_printf ("nothing was covered: %s", summary);
  if (state.cases == NULL || state.files_done != state.cases->len)
    g_test_fail_printf ("not every input was covered: %s", summary);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  state.corpus = g_strdup (test_corpus_dir ());
  scan_corpus ();

  /* In order: the corpus check, each file, then the totals. */
  g_test_add_func ("/conformance/corpus", test_corpus);
  for (guint i = 0; i < state.cases->len; i++)
    {
      const FileCase *fc = state.cases->pdata[i];
      g_autofree char *path = g_strdup_printf ("/conformance/%s", fc->stem);

      g_test_add_data_func (path, fc, test_file);
    }
  g_test_add_func ("/conformance/totals", test_totals);

  ret = g_test_run ();

  g_clear_pointer (&state.cases, g_ptr_array_unref);
  g_free (state.corpus);
  g_free (state.argv_dir);
  g_free (state.out_dir);
  g_free (state.corpus_problem);

  return ret;
}
