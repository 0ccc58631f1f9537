/* vmem-autosize.c: keeping a guest's available memory in a band with virtio-mem
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-autosize.h"

#include "vmem-enum-types.h"
#include "vmem-error.h"
#include "vmem-domain-private.h"
#include "vmem-libvirt-private.h"
#include "vmem-size.h"
#include "vmem-virtio-mem.h"

/**
 * SECTION:vmem-autosize
 * @Title: VmemAutosize
 * @Short_description: Keeps a guest's available memory in a band
 *
 * A #VmemAutosize grows and shrinks the virtio-mem devices of a running
 * domain so that the memory the guest has available stays between
 * #VmemAutosize:available-low and #VmemAutosize:available-high: what
 * oVirt's MoM does with the balloon, done with virtio-mem, which gives
 * memory back to the host in whole blocks and can grow a guest past its
 * boot size.
 *
 * Its input is the guest's own figure of available memory (its
 * `MemAvailable`), which libvirt reads from the domain's virtio balloon
 * device (`<memballoon model='virtio'>`, with the guest's virtio_balloon
 * driver): vmem_autosize_start() sets the device's statistics period to
 * #VmemAutosize:period, and the policy reads the statistics four times a
 * period, deciding once on each new sample.
 *
 * The rules, for each new sample (A is the guest's available memory, and
 * the target is the middle of the band):
 *
 * - A under the band: the device with the most room is asked to plug
 *   (target − A), rounded up to its block size, and at most
 *   #VmemAutosize:step-max, up to #VmemAutosize:maximum (and its size),
 *   and no more than the host's free memory less
 *   #VmemAutosize:host-reserve.
 * - A over the band: the device with the most plugged above
 *   #VmemAutosize:minimum is asked to unplug (A − target), rounded down to
 *   its block size, and at most #VmemAutosize:step-max.
 * - A in the band: nothing changes.
 * - After a change, nothing more is decided until the device reached its
 *   new size (vmem_virtio_mem_resize_async(), so at QEMU's pace of one
 *   size event a second) and a sample taken after that came: a step is
 *   always judged on the guest's memory after the previous step. With the
 *   band at least twice the block size wide, a step aimed at the middle
 *   lands inside it, so the policy does not oscillate.
 * - A device that stalls (%VMEM_ERROR_STALLED: the guest stopped making
 *   progress) is not asked again, and #VmemAutosize::stalled says so;
 *   when every device stalled, the policy stops.
 *
 * Every decision, holds included, is a #VmemAutosize::decision signal
 * with the reason in words, so that an application can show it and a
 * script can log it. `vmemctl autosize` is this object on the command
 * line.
 *
 * Side by side with MoM's balloon rules (its `balloon.rules`):
 *
 * - Guest input. MoM: the guest's free memory, from the balloon's
 *   statistics. Here: its `MemAvailable` (libvirt's `usable`), from the
 *   same statistics.
 * - Goal. MoM: at least 20 % of the guest's memory free
 *   (`min_guest_free_percent`). Here: the available memory inside a band
 *   set in bytes, 256 MiB to 512 MiB by default, aiming at its middle.
 * - Step. MoM: at most 5 % of the guest's memory a step
 *   (`max_balloon_change_percent`), and none smaller than a fraction of
 *   a percent (`min_balloon_change_percent`). Here: the
 *   distance to the band's middle in whole blocks, at most
 *   #VmemAutosize:step-max (256 MiB by default).
 * - Host. MoM: takes memory back from guests only when the host's free
 *   memory falls under 20 % (`pressure_threshold`). Here: a guest grows
 *   only into the host's free memory less #VmemAutosize:host-reserve
 *   (1 GiB by default), and memory goes back to the host whenever a guest
 *   has more than its band.
 * - Bounds. MoM: the balloon between its minimum and the guest's boot
 *   memory. Here: #VmemAutosize:minimum to #VmemAutosize:maximum for each
 *   device, within its size, so a guest can grow past its boot memory.
 * - Pace. MoM: one decision per interval (10 s by default). Here: one per
 *   new sample (#VmemAutosize:period, 1 s by default), none while a
 *   resize is under way.
 * - Stalls. MoM: not detected. Here: a device whose guest stops making
 *   progress is reported and left alone.
 */

/**
 * VmemAutosize:
 *
 * A policy that keeps a running domain's available memory in a band by
 * resizing its virtio-mem devices. Its properties may be changed while it
 * runs: the next decision follows them.
 *
 * Since: 0.1
 */
struct _VmemAutosize
{
  GObject parent_instance;

  VmemDomain *domain;
  guint64     available_low;
  guint64     available_high;
  guint64     step_max;
  guint64     minimum;
  guint64     maximum;
  guint64     host_reserve;
  guint       period;

  gboolean    running;
  guint64     guest_available;
  guint64     guest_total;
  guint64     host_free;
  guint       resizes;

  /* Of the current run. */
  GCancellable  *cancellable;
  GSource       *poll_source;
  gboolean       reading;
  gboolean       period_set;
  VmemVirtioMem *resizing;
  gint64         last_update;
  gint64         settle_after;
  GPtrArray     *stalled;
};

G_DEFINE_FINAL_TYPE (VmemAutosize, vmem_autosize, G_TYPE_OBJECT)

#define MiB (G_GUINT64_CONSTANT (1) << 20)
#define DEFAULT_AVAILABLE_LOW  (256 * MiB)
#define DEFAULT_AVAILABLE_HIGH (512 * MiB)
#define DEFAULT_STEP_MAX       (256 * MiB)
#define DEFAULT_HOST_RESERVE   (1024 * MiB)
#define DEFAULT_PERIOD         1

enum {
  PROP_0,
  PROP_DOMAIN,
  PROP_AVAILABLE_LOW,
  PROP_AVAILABLE_HIGH,
  PROP_STEP_MAX,
  PROP_MINIMUM,
  PROP_MAXIMUM,
  PROP_HOST_RESERVE,
  PROP_PERIOD,
  PROP_RUNNING,
  PROP_GUEST_AVAILABLE,
  PROP_GUEST_TOTAL,
  PROP_HOST_FREE,
  PROP_RESIZES,
  N_PROPS
};

enum {
  SIGNAL_DECISION,
  SIGNAL_STALLED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void stop_with (VmemAutosize *self, const char *reason);

static void
clear_poll_source (VmemAutosize *self)
{
  if (self->poll_source != NULL)
    {
      g_source_destroy (self->poll_source);
      g_clear_pointer (&self->poll_source, g_source_unref);
    }
}

static void
vmem_autosize_dispose (GObject *object)
{
  VmemAutosize *self = VMEM_AUTOSIZE (object);

  if (self->running)
    {
      self->running = FALSE;
      g_cancellable_cancel (self->cancellable);
    }
  clear_poll_source (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->resizing);
  g_clear_pointer (&self->stalled, g_ptr_array_unref);
  g_clear_object (&self->domain);

  G_OBJECT_CLASS (vmem_autosize_parent_class)->dispose (object);
}

static void
vmem_autosize_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  VmemAutosize *self = VMEM_AUTOSIZE (object);

  switch (prop_id)
    {
    case PROP_DOMAIN: g_value_set_object (value, self->domain); break;
    case PROP_AVAILABLE_LOW: g_value_set_uint64 (value, self->available_low); break;
    case PROP_AVAILABLE_HIGH: g_value_set_uint64 (value, self->available_high); break;
    case PROP_STEP_MAX: g_value_set_uint64 (value, self->step_max); break;
    case PROP_MINIMUM: g_value_set_uint64 (value, self->minimum); break;
    case PROP_MAXIMUM: g_value_set_uint64 (value, self->maximum); break;
    case PROP_HOST_RESERVE: g_value_set_uint64 (value, self->host_reserve); break;
    case PROP_PERIOD: g_value_set_uint (value, self->period); break;
    case PROP_RUNNING: g_value_set_boolean (value, self->running); break;
    case PROP_GUEST_AVAILABLE: g_value_set_uint64 (value, self->guest_available); break;
    case PROP_GUEST_TOTAL: g_value_set_uint64 (value, self->guest_total); break;
    case PROP_HOST_FREE: g_value_set_uint64 (value, self->host_free); break;
    case PROP_RESIZES: g_value_set_uint (value, self->resizes); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_autosize_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  VmemAutosize *self = VMEM_AUTOSIZE (object);

  switch (prop_id)
    {
    case PROP_DOMAIN: self->domain = g_value_dup_object (value); break;
    case PROP_AVAILABLE_LOW: vmem_autosize_set_available_low (self, g_value_get_uint64 (value)); break;
    case PROP_AVAILABLE_HIGH: vmem_autosize_set_available_high (self, g_value_get_uint64 (value)); break;
    case PROP_STEP_MAX: vmem_autosize_set_step_max (self, g_value_get_uint64 (value)); break;
    case PROP_MINIMUM: vmem_autosize_set_minimum (self, g_value_get_uint64 (value)); break;
    case PROP_MAXIMUM: vmem_autosize_set_maximum (self, g_value_get_uint64 (value)); break;
    case PROP_HOST_RESERVE: vmem_autosize_set_host_reserve (self, g_value_get_uint64 (value)); break;
    case PROP_PERIOD: vmem_autosize_set_period (self, g_value_get_uint (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
size_property (const char *name,
               const char *nick,
               const char *blurb,
               guint64     default_value,
               gboolean    writable)
{
  return g_param_spec_uint64 (name, nick, blurb, 0, G_MAXUINT64, default_value,
                              (writable ? G_PARAM_READWRITE : G_PARAM_READABLE) |
                              G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
vmem_autosize_class_init (VmemAutosizeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vmem_autosize_dispose;
  object_class->get_property = vmem_autosize_get_property;
  object_class->set_property = vmem_autosize_set_property;

  /**
   * VmemAutosize:domain:
   *
   * The live domain whose virtio-mem devices the policy resizes.
   *
   * Since: 0.1
   */
  properties[PROP_DOMAIN] =
    g_param_spec_object ("domain", "Domain", "The live domain whose virtio-mem devices the policy resizes",
                         VMEM_TYPE_DOMAIN,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * VmemAutosize:available-low:
   *
   * The band's lower end, in bytes: under it, the guest gets more memory.
   * 256 MiB by default.
   *
   * Since: 0.1
   */
  properties[PROP_AVAILABLE_LOW] =
    size_property ("available-low", "Available low", "The band's lower end, in bytes", DEFAULT_AVAILABLE_LOW, TRUE);

  /**
   * VmemAutosize:available-high:
   *
   * The band's upper end, in bytes: over it, memory goes back to the
   * host. 512 MiB by default. It must exceed #VmemAutosize:available-low
   * by at least twice the block size of the domain's virtio-mem devices.
   *
   * Since: 0.1
   */
  properties[PROP_AVAILABLE_HIGH] =
    size_property ("available-high", "Available high", "The band's upper end, in bytes", DEFAULT_AVAILABLE_HIGH, TRUE);

  /**
   * VmemAutosize:step-max:
   *
   * The most one decision changes a device's requested size by, in bytes
   * (rounded down to the device's block size). 256 MiB by default.
   *
   * Since: 0.1
   */
  properties[PROP_STEP_MAX] =
    size_property ("step-max", "Step maximum", "The most one decision changes a device by, in bytes", DEFAULT_STEP_MAX, TRUE);

  /**
   * VmemAutosize:minimum:
   *
   * The least a device's requested size is shrunk to, in bytes (rounded
   * up to its block size). 0 by default.
   *
   * Since: 0.1
   */
  properties[PROP_MINIMUM] =
    size_property ("minimum", "Minimum", "The least a device is shrunk to, in bytes", 0, TRUE);

  /**
   * VmemAutosize:maximum:
   *
   * The most a device's requested size is grown to, in bytes (rounded
   * down to its block size), and never past the device's size.
   * %G_MAXUINT64, the device's size, by default.
   *
   * Since: 0.1
   */
  properties[PROP_MAXIMUM] =
    size_property ("maximum", "Maximum", "The most a device is grown to, in bytes", G_MAXUINT64, TRUE);

  /**
   * VmemAutosize:host-reserve:
   *
   * The host memory, in bytes, that growing a guest never takes: a device
   * grows at most by the host's free memory less this. 1 GiB by default.
   *
   * Since: 0.1
   */
  properties[PROP_HOST_RESERVE] =
    size_property ("host-reserve", "Host reserve", "The host memory growing a guest never takes, in bytes", DEFAULT_HOST_RESERVE, TRUE);

  /**
   * VmemAutosize:period:
   *
   * The statistics period of the domain's balloon device, in seconds,
   * which vmem_autosize_start() sets: how often the guest reports its
   * memory. 1 by default.
   *
   * Since: 0.1
   */
  properties[PROP_PERIOD] =
    g_param_spec_uint ("period", "Period", "The statistics period of the domain's balloon device, in seconds",
                       1, G_MAXINT, DEFAULT_PERIOD,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmemAutosize:running:
   *
   * Whether the policy runs: from vmem_autosize_start() until
   * vmem_autosize_stop() or a %VMEM_AUTOSIZE_STOP decision.
   *
   * Since: 0.1
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", "Running", "Whether the policy runs", FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmemAutosize:guest-available:
   *
   * The guest's available memory in bytes (its `MemAvailable`, libvirt's
   * `usable` statistic) in the last sample; 0 before the first.
   *
   * Since: 0.1
   */
  properties[PROP_GUEST_AVAILABLE] =
    size_property ("guest-available", "Guest available", "The guest's available memory in the last sample, in bytes", 0, FALSE);

  /**
   * VmemAutosize:guest-total:
   *
   * The guest's memory in bytes as the guest counts it (its `MemTotal`,
   * libvirt's `available` statistic) in the last sample; 0 before the
   * first.
   *
   * Since: 0.1
   */
  properties[PROP_GUEST_TOTAL] =
    size_property ("guest-total", "Guest total", "The guest's MemTotal in the last sample, in bytes", 0, FALSE);

  /**
   * VmemAutosize:host-free:
   *
   * The host's free memory in bytes (virNodeGetFreeMemory()) at the last
   * sample; 0 before the first.
   *
   * Since: 0.1
   */
  properties[PROP_HOST_FREE] =
    size_property ("host-free", "Host free", "The host's free memory at the last sample, in bytes", 0, FALSE);

  /**
   * VmemAutosize:resizes:
   *
   * How many resizes the policy asked for since it was made.
   *
   * Since: 0.1
   */
  properties[PROP_RESIZES] =
    g_param_spec_uint ("resizes", "Resizes", "How many resizes the policy asked for", 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VmemAutosize::decision:
   * @self: the #VmemAutosize
   * @action: what was decided
   * @device: (nullable): the virtio-mem device resized, or %NULL for
   *   %VMEM_AUTOSIZE_HOLD and %VMEM_AUTOSIZE_STOP
   * @from: the device's requested size before, in bytes (0 without a
   *   device)
   * @to: the requested size asked for, in bytes (@from when nothing
   *   changes)
   * @reason: why, in words, with the figures it was decided on
   *
   * Emitted for every decision: once for each new sample of the guest's
   * memory statistics while the policy runs, and once when it stops.
   *
   * Since: 0.1
   */
  signals[SIGNAL_DECISION] =
    g_signal_new ("decision", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 5,
                  VMEM_TYPE_AUTOSIZE_ACTION, VMEM_TYPE_MEMORY_DEVICE,
                  G_TYPE_UINT64, G_TYPE_UINT64, G_TYPE_STRING);

  /**
   * VmemAutosize::stalled:
   * @self: the #VmemAutosize
   * @device: the virtio-mem device whose guest stopped making progress
   * @message: the library's message (%VMEM_ERROR_STALLED)
   *
   * Emitted when the guest stops following a resize the policy asked
   * for. The policy does not ask that device again while it runs.
   *
   * Since: 0.1
   */
  signals[SIGNAL_STALLED] =
    g_signal_new ("stalled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  VMEM_TYPE_MEMORY_DEVICE, G_TYPE_STRING);
}

static void
vmem_autosize_init (VmemAutosize *self)
{
  self->available_low = DEFAULT_AVAILABLE_LOW;
  self->available_high = DEFAULT_AVAILABLE_HIGH;
  self->step_max = DEFAULT_STEP_MAX;
  self->maximum = G_MAXUINT64;
  self->host_reserve = DEFAULT_HOST_RESERVE;
  self->period = DEFAULT_PERIOD;
}

/**
 * vmem_autosize_new:
 * @domain: a live #VmemDomain
 *
 * Makes a policy for @domain, with the default band; it does nothing
 * until vmem_autosize_start().
 *
 * Returns: (transfer full): a new #VmemAutosize
 *
 * Since: 0.1
 */
VmemAutosize *
vmem_autosize_new (VmemDomain *domain)
{
  g_return_val_if_fail (VMEM_IS_DOMAIN (domain), NULL);

  return g_object_new (VMEM_TYPE_AUTOSIZE, "domain", domain, NULL);
}

/**
 * vmem_autosize_get_domain:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:domain of the policy.
 *
 * Returns: (transfer none): the domain
 *
 * Since: 0.1
 */
VmemDomain *
vmem_autosize_get_domain (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), NULL);

  return self->domain;
}

static void
set_size (VmemAutosize *self,
          guint64      *field,
          guint64       value,
          guint         prop)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
    }
}

/**
 * vmem_autosize_get_available_low:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:available-low of the policy.
 *
 * Returns: the band's lower end in bytes
 *
 * Since: 0.1
 */
guint64
vmem_autosize_get_available_low (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->available_low;
}

/**
 * vmem_autosize_set_available_low:
 * @self: a #VmemAutosize
 * @bytes: the band's lower end in bytes
 *
 * Sets the #VmemAutosize:available-low of the policy.
 *
 * Since: 0.1
 */
void
vmem_autosize_set_available_low (VmemAutosize *self,
                                 guint64       bytes)
{
  g_return_if_fail (VMEM_IS_AUTOSIZE (self));
  set_size (self, &self->available_low, bytes, PROP_AVAILABLE_LOW);
}

/**
 * vmem_autosize_get_available_high:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:available-high of the policy.
 *
 * Returns: the band's upper end in bytes
 *
 * Since: 0.1
 */
guint64
vmem_autosize_get_available_high (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->available_high;
}

/**
 * vmem_autosize_set_available_high:
 * @self: a #VmemAutosize
 * @bytes: the band's upper end in bytes
 *
 * Sets the #VmemAutosize:available-high of the policy.
 *
 * Since: 0.1
 */
void
vmem_autosize_set_available_high (VmemAutosize *self,
                                  guint64       bytes)
{
  g_return_if_fail (VMEM_IS_AUTOSIZE (self));
  set_size (self, &self->available_high, bytes, PROP_AVAILABLE_HIGH);
}

/**
 * vmem_autosize_get_step_max:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:step-max of the policy.
 *
 * Returns: the largest step in bytes
 *
 * Since: 0.1
 */
guint64
vmem_autosize_get_step_max (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->step_max;
}

/**
 * vmem_autosize_set_step_max:
 * @self: a #VmemAutosize
 * @bytes: the largest step in bytes
 *
 * Sets the #VmemAutosize:step-max of the policy.
 *
 * Since: 0.1
 */
void
vmem_autosize_set_step_max (VmemAutosize *self,
                            guint64       bytes)
{
  g_return_if_fail (VMEM_IS_AUTOSIZE (self));
  set_size (self, &self->step_max, bytes, PROP_STEP_MAX);
}

/**
 * vmem_autosize_get_minimum:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:minimum of the policy.
 *
 * Returns: the least requested size of a device, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_autosize_get_minimum (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->minimum;
}

/**
 * vmem_autosize_set_minimum:
 * @self: a #VmemAutosize
 * @bytes: the least requested size of a device, in bytes
 *
 * Sets the #VmemAutosize:minimum of the policy.
 *
 * Since: 0.1
 */
void
vmem_autosize_set_minimum (VmemAutosize *self,
                           guint64       bytes)
{
  g_return_if_fail (VMEM_IS_AUTOSIZE (self));
  set_size (self, &self->minimum, bytes, PROP_MINIMUM);
}

/**
 * vmem_autosize_get_maximum:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:maximum of the policy.
 *
 * Returns: the most requested size of a device, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_autosize_get_maximum (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->maximum;
}

/**
 * vmem_autosize_set_maximum:
 * @self: a #VmemAutosize
 * @bytes: the most requested size of a device, in bytes
 *
 * Sets the #VmemAutosize:maximum of the policy.
 *
 * Since: 0.1
 */
void
vmem_autosize_set_maximum (VmemAutosize *self,
                           guint64       bytes)
{
  g_return_if_fail (VMEM_IS_AUTOSIZE (self));
  set_size (self, &self->maximum, bytes, PROP_MAXIMUM);
}

/**
 * vmem_autosize_get_host_reserve:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:host-reserve of the policy.
 *
 * Returns: the host memory growing never takes, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_autosize_get_host_reserve (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->host_reserve;
}

/**
 * vmem_autosize_set_host_reserve:
 * @self: a #VmemAutosize
 * @bytes: the host memory growing never takes, in bytes
 *
 * Sets the #VmemAutosize:host-reserve of the policy.
 *
 * Since: 0.1
 */
void
vmem_autosize_set_host_reserve (VmemAutosize *self,
                                guint64       bytes)
{
  g_return_if_fail (VMEM_IS_AUTOSIZE (self));
  set_size (self, &self->host_reserve, bytes, PROP_HOST_RESERVE);
}

/**
 * vmem_autosize_get_period:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:period of the policy.
 *
 * Returns: the statistics period in seconds
 *
 * Since: 0.1
 */
guint
vmem_autosize_get_period (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->period;
}

/**
 * vmem_autosize_set_period:
 * @self: a #VmemAutosize
 * @seconds: the statistics period in seconds, at least 1
 *
 * Sets the #VmemAutosize:period of the policy; it is given to the
 * balloon device at the next vmem_autosize_start().
 *
 * Since: 0.1
 */
void
vmem_autosize_set_period (VmemAutosize *self,
                          guint         seconds)
{
  g_return_if_fail (VMEM_IS_AUTOSIZE (self));
  g_return_if_fail (seconds >= 1);
  if (self->period != seconds)
    {
      self->period = seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERIOD]);
    }
}

/**
 * vmem_autosize_get_running:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:running of the policy.
 *
 * Returns: %TRUE while the policy runs
 *
 * Since: 0.1
 */
gboolean
vmem_autosize_get_running (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), FALSE);
  return self->running;
}

/**
 * vmem_autosize_get_guest_available:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:guest-available of the policy.
 *
 * Returns: the guest's available memory in the last sample, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_autosize_get_guest_available (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->guest_available;
}

/**
 * vmem_autosize_get_guest_total:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:guest-total of the policy.
 *
 * Returns: the guest's MemTotal in the last sample, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_autosize_get_guest_total (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->guest_total;
}

/**
 * vmem_autosize_get_host_free:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:host-free of the policy.
 *
 * Returns: the host's free memory at the last sample, in bytes
 *
 * Since: 0.1
 */
guint64
vmem_autosize_get_host_free (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->host_free;
}

/**
 * vmem_autosize_get_resizes:
 * @self: a #VmemAutosize
 *
 * Gives the #VmemAutosize:resizes of the policy.
 *
 * Returns: how many resizes the policy asked for
 *
 * Since: 0.1
 */
guint
vmem_autosize_get_resizes (VmemAutosize *self)
{
  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), 0);
  return self->resizes;
}

/* --- Samples ---------------------------------------------------------- */

typedef struct
{
  virDomainPtr dom;
  guint        period;   /* to set first, or 0 */
} ReadIn;

typedef struct
{
  guint64 usable;
  guint64 total;
  gint64  last_update;
  guint64 host_free;
} Sample;

static void
read_in_free (gpointer data)
{
  ReadIn *in = data;

  virDomainFree (in->dom);
  g_free (in);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadIn *in = task_data;
  /* Taken first: every libvirt call clears the thread's last error, which
   * the messages below read. */
  g_autofree char *name = g_strdup (virDomainGetName (in->dom));
  virDomainMemoryStatStruct stats[VIR_DOMAIN_MEMORY_STAT_NR];
  gboolean have_usable = FALSE;
  unsigned long long host_free;
  Sample *sample;
  GError *error = NULL;
  int n;

  if (in->period != 0 &&
      virDomainSetMemoryStatsPeriod (in->dom, (int) in->period, VIR_DOMAIN_AFFECT_LIVE) < 0)
    {
      _vmem_set_error_from_libvirt (&error,
                                    "Cannot set the memory statistics period of domain '%s' "
                                    "(it needs a virtio balloon device)", name);
      g_task_return_error (task, error);
      return;
    }

  n = virDomainMemoryStats (in->dom, stats, VIR_DOMAIN_MEMORY_STAT_NR, 0);
  if (n < 0)
    {
      _vmem_set_error_from_libvirt (&error, "Cannot read the memory statistics of domain '%s'", name);
      g_task_return_error (task, error);
      return;
    }

  sample = g_new0 (Sample, 1);
  for (int i = 0; i < n; i++)
    {
      switch (stats[i].tag)
        {
        case VIR_DOMAIN_MEMORY_STAT_USABLE:
          sample->usable = stats[i].val * 1024;
          have_usable = TRUE;
          break;
        case VIR_DOMAIN_MEMORY_STAT_AVAILABLE:
          sample->total = stats[i].val * 1024;
          break;
        case VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE:
          sample->last_update = (gint64) stats[i].val;
          break;
        default:
          break;
        }
    }

  if (!have_usable || sample->last_update == 0)
    {
      g_free (sample);
      g_task_return_new_error (task, VMEM_ERROR, VMEM_ERROR_NOT_SUPPORTED,
                               "Domain '%s' reports no available memory: it needs a virtio "
                               "balloon device with statistics and the guest's virtio_balloon driver",
                               name);
      return;
    }

  host_free = virNodeGetFreeMemory (virDomainGetConnect (in->dom));
  if (host_free == 0)
    {
      g_free (sample);
      _vmem_set_error_from_libvirt (&error, "Cannot read the host's free memory");
      g_task_return_error (task, error);
      return;
    }
  sample->host_free = host_free;

  g_task_return_pointer (task, sample, g_free);
}

/* --- Decisions -------------------------------------------------------- */

static guint64
round_down (guint64 value,
            guint64 block)
{
  return block == 0 ? value : value / block * block;
}

static guint64
round_up (guint64 value,
          guint64 block)
{
  if (block == 0 || value % block == 0)
    return value;
  return value > G_MAXUINT64 - block ? round_down (value, block) : value / block * block + block;
}

static gboolean
is_stalled (VmemAutosize  *self,
            VmemVirtioMem *device)
{
  return self->stalled != NULL && g_ptr_array_find (self->stalled, device, NULL);
}

/* The running domain's virtio-mem devices that were not seen stalling. */
static GPtrArray *
candidates (VmemAutosize *self)
{
  GListModel *devices = vmem_domain_get_memory_devices (self->domain);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (devices);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (devices, i);

      if (VMEM_IS_VIRTIO_MEM (item) && !is_stalled (self, VMEM_VIRTIO_MEM (item)))
        g_ptr_array_add (found, g_object_ref (item));
    }
  return found;
}

static void
decide (VmemAutosize                  *self,
        VmemAutosizeAction             action,
        VmemVirtioMem                 *device,
        guint64                        from,
        guint64                        to,
        const char                    *reason)
{
  g_signal_emit (self, signals[SIGNAL_DECISION], 0, action, device, from, to, reason);
}

static void resize_done (GObject *object, GAsyncResult *result, gpointer user_data);

static void
resize (VmemAutosize       *self,
        VmemAutosizeAction  action,
        VmemVirtioMem      *device,
        guint64             to,
        const char         *reason)
{
  guint64 from = vmem_virtio_mem_get_requested_size (device);

  g_set_object (&self->resizing, device);
  self->resizes++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESIZES]);
  decide (self, action, device, from, to, reason);
  /* A handler may have stopped the policy. */
  if (!self->running)
    return;
  vmem_virtio_mem_resize_async (device, to, self->cancellable, resize_done, g_object_ref (self));
}

static void
decide_on (VmemAutosize *self,
           const Sample *sample)
{
  g_autoptr(GPtrArray) devices = candidates (self);
  g_autofree char *available = vmem_size_format (sample->usable);
  g_autofree char *low = vmem_size_format (self->available_low);
  g_autofree char *high = vmem_size_format (self->available_high);
  guint64 target = self->available_low + (self->available_high - self->available_low) / 2;
  VmemVirtioMem *best = NULL;
  guint64 best_room = 0;
  g_autofree char *reason = NULL;

  if (devices->len == 0)
    {
      stop_with (self, "No virtio-mem device left to resize: every one stalled or is gone");
      return;
    }

  if (sample->usable >= self->available_low && sample->usable <= self->available_high)
    {
      reason = g_strdup_printf ("available %s is inside the band %s to %s", available, low, high);
      decide (self, VMEM_AUTOSIZE_HOLD, NULL, 0, 0, reason);
      return;
    }

  if (sample->usable < self->available_low)
    {
      guint64 need, step, host_room, amount, requested;
      const char *limit = "to the band's middle";

      /* The device with the most room to grow. */
      for (guint i = 0; i < devices->len; i++)
        {
          VmemVirtioMem *device = g_ptr_array_index (devices, i);
          guint64 block = vmem_virtio_mem_get_block_size (device);
          guint64 top = round_down (MIN (self->maximum,
                                         vmem_memory_device_get_size (VMEM_MEMORY_DEVICE (device))), block);
          guint64 room = top > vmem_virtio_mem_get_requested_size (device) ?
                         top - vmem_virtio_mem_get_requested_size (device) : 0;

          if (best == NULL || room > best_room)
            {
              best = device;
              best_room = room;
            }
        }

      requested = vmem_virtio_mem_get_requested_size (best);
      need = round_up (target - sample->usable, vmem_virtio_mem_get_block_size (best));
      step = round_down (self->step_max, vmem_virtio_mem_get_block_size (best));
      host_room = sample->host_free > self->host_reserve ?
                  round_down (sample->host_free - self->host_reserve, vmem_virtio_mem_get_block_size (best)) : 0;
      amount = need;
      if (step < amount)
        amount = step, limit = "by the largest step";
      if (best_room < amount)
        amount = best_room, limit = "by the device's maximum";
      if (host_room < amount)
        amount = host_room, limit = "by the host's free memory less its reserve";

      if (amount == 0)
        {
          g_autofree char *free_ = vmem_size_format (sample->host_free);
          g_autofree char *reserve = vmem_size_format (self->host_reserve);

          if (best_room == 0)
            reason = g_strdup_printf ("available %s is under the band's %s, but every virtio-mem "
                                      "device is at its maximum", available, low);
          else
            reason = g_strdup_printf ("available %s is under the band's %s, but the host has %s "
                                      "free and keeps %s", available, low, free_, reserve);
          decide (self, VMEM_AUTOSIZE_HOLD, NULL, 0, 0, reason);
          return;
        }

      {
        g_autofree char *by = vmem_size_format (amount);
        reason = g_strdup_printf ("available %s is under the band's %s: plug %s, %s",
                                  available, low, by, limit);
      }
      resize (self, VMEM_AUTOSIZE_GROW, best, requested + amount, reason);
      return;
    }

  /* Over the band: the device with the most plugged above the minimum. */
  {
    guint64 excess, step, amount, requested;
    const char *limit = "to the band's middle";

    for (guint i = 0; i < devices->len; i++)
      {
        VmemVirtioMem *device = g_ptr_array_index (devices, i);
        guint64 floor_ = round_up (self->minimum, vmem_virtio_mem_get_block_size (device));
        guint64 req = vmem_virtio_mem_get_requested_size (device);
        guint64 room = req > floor_ ? req - floor_ : 0;

        if (best == NULL || room > best_room)
          {
            best = device;
            best_room = room;
          }
      }

    requested = vmem_virtio_mem_get_requested_size (best);
    excess = round_down (sample->usable - target, vmem_virtio_mem_get_block_size (best));
    step = round_down (self->step_max, vmem_virtio_mem_get_block_size (best));
    amount = excess;
    if (step < amount)
      amount = step, limit = "by the largest step";
    if (best_room < amount)
      amount = best_room, limit = "by the device's minimum";

    if (amount == 0)
      {
        reason = g_strdup_printf ("available %s is over the band's %s, but every virtio-mem device "
                                  "is at its minimum", available, high);
        decide (self, VMEM_AUTOSIZE_HOLD, NULL, 0, 0, reason);
        return;
      }

    {
      g_autofree char *by = vmem_size_format (amount);
      reason = g_strdup_printf ("available %s is over the band's %s: unplug %s, %s",
                                available, high, by, limit);
    }
    resize (self, VMEM_AUTOSIZE_SHRINK, best, requested - amount, reason);
  }
}

static void
resize_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VmemAutosize) self = user_data;
  VmemVirtioMem *device = VMEM_VIRTIO_MEM (object);
  g_autoptr(GError) error = NULL;

  if (!vmem_virtio_mem_resize_finish (device, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->running)
        return;
      g_clear_object (&self->resizing);
      if (g_error_matches (error, VMEM_ERROR, VMEM_ERROR_STALLED))
        {
          if (self->stalled == NULL)
            self->stalled = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (self->stalled, g_object_ref (device));
          g_signal_emit (self, signals[SIGNAL_STALLED], 0, device, error->message);
          return;
        }
      stop_with (self, error->message);
      return;
    }

  if (!self->running)
    return;
  g_clear_object (&self->resizing);
  /* The next decision is on a sample of the guest as it is now. */
  self->settle_after = g_get_real_time () / G_USEC_PER_SEC;
}

static void
update_size (VmemAutosize *self,
             guint64      *field,
             guint64       value,
             guint         prop)
{
  set_size (self, field, value, prop);
}

static void
read_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  VmemAutosize *self = VMEM_AUTOSIZE (object);
  g_autoptr(GError) error = NULL;
  g_autofree Sample *sample = g_task_propagate_pointer (G_TASK (result), &error);

  self->reading = FALSE;
  if (!self->running || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (sample == NULL)
    {
      stop_with (self, error->message);
      return;
    }
  self->period_set = TRUE;

  g_object_freeze_notify (G_OBJECT (self));
  update_size (self, &self->guest_available, sample->usable, PROP_GUEST_AVAILABLE);
  update_size (self, &self->guest_total, sample->total, PROP_GUEST_TOTAL);
  update_size (self, &self->host_free, sample->host_free, PROP_HOST_FREE);
  g_object_thaw_notify (G_OBJECT (self));

  /* One decision per new sample, none while a resize is under way, and
   * none on a sample from before the last resize ended. */
  if (!self->running || sample->last_update == self->last_update)
    return;
  self->last_update = sample->last_update;
  if (self->resizing != NULL || sample->last_update <= self->settle_after)
    return;
  decide_on (self, sample);
}

static gboolean
poll (gpointer user_data)
{
  VmemAutosize *self = user_data;
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  ReadIn *in;
  virDomainPtr dom;

  if (self->reading)
    return G_SOURCE_CONTINUE;

  dom = _vmem_domain_dup_vir_domain (self->domain, &error);
  if (dom == NULL)
    {
      stop_with (self, error->message);
      g_error_free (error);
      return G_SOURCE_REMOVE;
    }

  in = g_new0 (ReadIn, 1);
  in->dom = dom;
  in->period = self->period_set ? 0 : self->period;
  self->reading = TRUE;
  task = g_task_new (self, self->cancellable, read_done, NULL);
  g_task_set_source_tag (task, poll);
  g_task_set_task_data (task, in, read_in_free);
  _vmem_task_run_in_thread (task, read_thread);
  return G_SOURCE_CONTINUE;
}

static void
stop_with (VmemAutosize *self,
           const char   *reason)
{
  if (!self->running)
    return;
  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  clear_poll_source (self);
  g_clear_object (&self->resizing);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  decide (self, VMEM_AUTOSIZE_STOP, NULL, 0, 0, reason);
}

/**
 * vmem_autosize_start:
 * @self: a #VmemAutosize
 * @error: return location for a #GError, or %NULL
 *
 * Starts the policy: sets the statistics period of the domain's balloon
 * device to #VmemAutosize:period, then decides on each new sample until
 * vmem_autosize_stop(). Nothing blocks: libvirt is called on a worker
 * thread, and the signals come on the thread-default main context of the
 * caller, which must be the domain's.
 *
 * It refuses, changing nothing, a domain that does not run
 * (%VMEM_ERROR_NOT_RUNNING) or has no virtio-mem device
 * (%VMEM_ERROR_NOT_SUPPORTED), and a band or step that cannot work
 * (%VMEM_ERROR_INVALID_CONFIG): the low end must be under the high end by
 * at least twice the largest block size, the step must be at least a
 * block, and the minimum must not exceed the maximum. A domain without a
 * balloon device with statistics is found at the first sample, which
 * stops the policy with that reason.
 *
 * Returns: %TRUE if the policy runs (or ran already)
 *
 * Since: 0.1
 */
gboolean
vmem_autosize_start (VmemAutosize  *self,
                     GError       **error)
{
  g_autoptr(GPtrArray) devices = NULL;
  guint64 block = 0;

  g_return_val_if_fail (VMEM_IS_AUTOSIZE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->running)
    return TRUE;

  if (!vmem_domain_is_active (self->domain))
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_RUNNING,
                   "Domain '%s' is not running", vmem_domain_get_name (self->domain));
      return FALSE;
    }

  g_clear_pointer (&self->stalled, g_ptr_array_unref);
  devices = candidates (self);
  if (devices->len == 0)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_NOT_SUPPORTED,
                   "Domain '%s' has no virtio-mem device", vmem_domain_get_name (self->domain));
      return FALSE;
    }
  for (guint i = 0; i < devices->len; i++)
    block = MAX (block, vmem_virtio_mem_get_block_size (g_ptr_array_index (devices, i)));

  if (self->available_high <= self->available_low ||
      self->available_high - self->available_low < 2 * block)
    {
      g_autofree char *low = vmem_size_format (self->available_low);
      g_autofree char *high = vmem_size_format (self->available_high);
      g_autofree char *twice = vmem_size_format (2 * block);

      g_set_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                   "The band %s to %s is too narrow: its high end must exceed its low end by at "
                   "least twice the block size, %s", low, high, twice);
      return FALSE;
    }
  if (self->step_max < block)
    {
      g_autofree char *step = vmem_size_format (self->step_max);
      g_autofree char *one = vmem_size_format (block);

      g_set_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                   "The largest step %s is smaller than a block, %s", step, one);
      return FALSE;
    }
  if (self->minimum > self->maximum)
    {
      g_autofree char *min = vmem_size_format (self->minimum);
      g_autofree char *max = vmem_size_format (self->maximum);

      g_set_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                   "The minimum %s exceeds the maximum %s", min, max);
      return FALSE;
    }

  self->running = TRUE;
  self->cancellable = g_cancellable_new ();
  self->period_set = FALSE;
  self->last_update = 0;
  self->settle_after = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  /* Four times a period: a new sample is acted on within a quarter of a
   * period of its arrival, so that the reaction to a change in the guest
   * is the guest's own period and little more. */
  self->poll_source = g_timeout_source_new (MAX (self->period * 1000 / 4, 200));
  g_source_set_callback (self->poll_source, poll, self, NULL);
  g_source_set_static_name (self->poll_source, "[vmem] autosize sample");
  g_source_attach (self->poll_source, g_main_context_get_thread_default ());
  poll (self);
  return TRUE;
}

/**
 * vmem_autosize_stop:
 * @self: a #VmemAutosize
 *
 * Stops the policy, with a %VMEM_AUTOSIZE_STOP decision. A resize under
 * way is cancelled: the device keeps the requested size it was given,
 * and the guest goes on plugging or unplugging towards it. Does nothing
 * if the policy does not run.
 *
 * Since: 0.1
 */
void
vmem_autosize_stop (VmemAutosize *self)
{
  g_return_if_fail (VMEM_IS_AUTOSIZE (self));

  stop_with (self, "Stopped");
}
