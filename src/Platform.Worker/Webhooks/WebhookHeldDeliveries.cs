namespace Platform.Worker.Webhooks;

/// <summary>
/// The deliveries this worker holds: claimed ahead of free slots and waiting, or being sent. The next waiting one starts
/// as soon as its webhook, its tenant and the pool have a free sending slot (the per-endpoint, per-tenant and total caps
/// apply to sending, however many are held), so a sender that finishes takes the next without waiting for a claim. A
/// waiting delivery whose lease no longer covers an attempt is dropped unsent: it comes back when its lease ends.
/// </summary>
public sealed class WebhookHeldDeliveries(WebhookDeliveryOptions options, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly List<ClaimedDelivery> _waiting = [];
    private readonly Dictionary<Guid, int> _heldByWebhook = [];
    private readonly Dictionary<Guid, int> _heldByTenant = [];
    private readonly Dictionary<Guid, int> _sendingByWebhook = [];
    private readonly Dictionary<Guid, int> _sendingByTenant = [];

    // Webhooks and tenants that may have due rows left in the database because they were at their held caps when a
    // claim or fan-out ran: once one of them has room again, the loop claims.
    private readonly HashSet<Guid> _cappedWebhooks = [];
    private readonly HashSet<Guid> _cappedTenants = [];

    private readonly TimeSpan _leaseNeeded = TimeSpan.FromSeconds(options.TimeoutSeconds + options.LeaseMarginSeconds / 2.0);
    private int _sending;

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>How many are being sent now.</summary>
    public int Sending
    {
        get
        {
            lock (_lock)
            {
                return _sending;
            }
        }
    }

    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count + _sending;
            }
        }
    }

    /// <summary>
    /// The most a claim lets this worker hold of one webhook's deliveries: its sending cap times
    /// <see cref="WebhookDeliveryOptions.ClaimAhead"/>.
    /// </summary>
    public int PerWebhook { get; } = options.MaxConcurrencyPerEndpoint * options.ClaimAhead;

    /// <summary>The most this worker holds of one tenant's deliveries: its sending cap times <see cref="WebhookDeliveryOptions.ClaimAhead"/>.</summary>
    public int PerTenant { get; } = options.MaxInFlightPerTenant * options.ClaimAhead;

    /// <summary>What is held, by webhook and by tenant, for the next claim's caps.</summary>
    public InFlightCounts Counts()
    {
        lock (_lock)
        {
            return new InFlightCounts(new Dictionary<Guid, int>(_heldByWebhook), new Dictionary<Guid, int>(_heldByTenant));
        }
    }

    public void Add(IReadOnlyList<ClaimedDelivery> claimed)
    {
        lock (_lock)
        {
            foreach (var delivery in claimed)
            {
                _waiting.Add(delivery);
                Change(_heldByWebhook, delivery.Webhook.Id, 1);
                Change(_heldByTenant, delivery.TenantKey, 1);
            }
        }
    }

    /// <summary>
    /// Notes the webhooks and tenants of <paramref name="taken"/> that are now at their held caps (the claim or fan-out
    /// may have left due rows of theirs), and those of <paramref name="left"/> (a fan-out left rows of theirs due); true
    /// when some of those were left with their webhook and tenant below their caps (the pool's room ran out), so they
    /// are for the next claim whatever finishes.
    /// </summary>
    public bool NoteCapped(IReadOnlyList<ClaimedDelivery> taken, IReadOnlyList<(Guid Webhook, Guid Tenant)> left)
    {
        lock (_lock)
        {
            foreach (var delivery in taken)
            {
                if (_heldByWebhook.GetValueOrDefault(delivery.Webhook.Id) >= PerWebhook)
                {
                    _cappedWebhooks.Add(delivery.Webhook.Id);
                }

                if (_heldByTenant.GetValueOrDefault(delivery.TenantKey) >= PerTenant)
                {
                    _cappedTenants.Add(delivery.TenantKey);
                }
            }

            var uncapped = false;
            foreach (var (webhook, tenant) in left)
            {
                if (_heldByWebhook.GetValueOrDefault(webhook) >= PerWebhook)
                {
                    _cappedWebhooks.Add(webhook);
                }
                else if (_heldByTenant.GetValueOrDefault(tenant) >= PerTenant)
                {
                    _cappedTenants.Add(tenant);
                }
                else
                {
                    uncapped = true;
                }
            }

            return uncapped;
        }
    }

    /// <summary>Whether a noted webhook or tenant has room again (forgetting those that have): rows of theirs may be due.</summary>
    public bool TakeCappedWithRoom()
    {
        lock (_lock)
        {
            var freed = _cappedWebhooks.RemoveWhere(id => _heldByWebhook.GetValueOrDefault(id) < PerWebhook)
                + _cappedTenants.RemoveWhere(id => _heldByTenant.GetValueOrDefault(id) < PerTenant);
            return freed > 0;
        }
    }

    /// <summary>Takes the first waiting delivery that may be sent now, if any, and counts it as sending.</summary>
    public bool TryStart(out ClaimedDelivery next)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            for (var i = 0; i < _waiting.Count && _sending < options.MaxInFlight; i++)
            {
                var delivery = _waiting[i];
                if (delivery.LeasedUntil - now < _leaseNeeded)
                {
                    _waiting.RemoveAt(i--);
                    Change(_heldByWebhook, delivery.Webhook.Id, -1);
                    Change(_heldByTenant, delivery.TenantKey, -1);
                    continue;
                }

                if (_sendingByWebhook.GetValueOrDefault(delivery.Webhook.Id) < options.MaxConcurrencyPerEndpoint
                    && _sendingByTenant.GetValueOrDefault(delivery.TenantKey) < options.MaxInFlightPerTenant)
                {
                    _waiting.RemoveAt(i);
                    _sending++;
                    Change(_sendingByWebhook, delivery.Webhook.Id, 1);
                    Change(_sendingByTenant, delivery.TenantKey, 1);
                    next = delivery;
                    return true;
                }
            }

            next = null!;
            return false;
        }
    }

    /// <summary>A started delivery ended, however it went.</summary>
    public void Finished(ClaimedDelivery delivery)
    {
        lock (_lock)
        {
            _sending--;
            Change(_sendingByWebhook, delivery.Webhook.Id, -1);
            Change(_sendingByTenant, delivery.TenantKey, -1);
            Change(_heldByWebhook, delivery.Webhook.Id, -1);
            Change(_heldByTenant, delivery.TenantKey, -1);
        }
    }

    /// <summary>Empties the waiting list (the worker is stopping) and returns what was in it.</summary>
    public IReadOnlyList<ClaimedDelivery> TakeWaiting()
    {
        lock (_lock)
        {
            var waiting = _waiting.ToList();
            _waiting.Clear();
            foreach (var delivery in waiting)
            {
                Change(_heldByWebhook, delivery.Webhook.Id, -1);
                Change(_heldByTenant, delivery.TenantKey, -1);
            }

            return waiting;
        }
    }

    private static void Change(Dictionary<Guid, int> counts, Guid key, int by)
    {
        var count = counts.GetValueOrDefault(key) + by;
        if (count == 0)
        {
            counts.Remove(key);
        }
        else
        {
            counts[key] = count;
        }
    }
}
