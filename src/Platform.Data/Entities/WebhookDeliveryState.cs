namespace Platform.Data.Entities;

/// <summary>Stored as text (<c>pending</c>, <c>delivered</c>, <c>failed</c>).</summary>
public enum WebhookDeliveryState { Pending, Delivered, Failed }
