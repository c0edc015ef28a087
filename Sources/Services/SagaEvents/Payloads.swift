/// The `data` of each saga event, as the contract defines it. Money is integer minor units.

/// One line of an order: how many of which SKU.
public struct OrderItem: Codable, Sendable, Equatable {
    public var sku: String
    public var quantity: Int

    public init(sku: String, quantity: Int) {
        self.sku = sku
        self.quantity = quantity
    }
}

/// A line of an order priced from the catalog.
public struct PricedItem: Codable, Sendable, Equatable {
    public var sku: String
    public var quantity: Int
    /// Price of one unit in minor units.
    public var unitPrice: Int

    public init(sku: String, quantity: Int, unitPrice: Int) {
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
    }
}

/// How an order is paid: either a vault token with the card's last four digits (what the ingress publishes:
/// the card number itself waits in the `CardVault`), or the card number (accepted on the bus, e.g. from
/// `redis-cli`).
public struct PaymentDetails: Codable, Sendable, Equatable {
    /// The card number, 12 to 19 digits; `nil` when the card is in the vault.
    public var card: String?
    /// The card's vault token (`CardVault.key(for:)`); `nil` when the card number is given.
    public var token: String?
    /// The last four digits of a vaulted card.
    public var last4: String?

    /// A payment with the card number.
    public init(card: String) {
        self.card = card
    }

    /// A payment with a card kept in the vault.
    public init(token: String, last4: String) {
        self.token = token
        self.last4 = last4
    }

    /// The card's last four digits, whichever form it came in.
    public var cardLast4: String {
        last4 ?? String((card ?? "").suffix(4))
    }
}

/// `order.created`
public struct OrderCreated: Codable, Sendable, Equatable {
    public var orderId: String
    public var customerId: String
    public var items: [OrderItem]
    public var payment: PaymentDetails

    public init(orderId: String, customerId: String, items: [OrderItem], payment: PaymentDetails) {
        self.orderId = orderId
        self.customerId = customerId
        self.items = items
        self.payment = payment
    }
}

/// `stock.reserved`
public struct StockReserved: Codable, Sendable, Equatable {
    public var orderId: String
    public var customerId: String
    public var items: [PricedItem]
    public var amount: Int
    public var currency: String

    public init(orderId: String, customerId: String, items: [PricedItem], amount: Int, currency: String) {
        self.orderId = orderId
        self.customerId = customerId
        self.items = items
        self.amount = amount
        self.currency = currency
    }
}

/// Why stock was not reserved.
public enum StockRejection: String, Codable, Sendable, CaseIterable {
    case outOfStock = "out_of_stock"
    case unknownSKU = "unknown_sku"
    case invalidOrder = "invalid_order"
}

/// `stock.rejected`
public struct StockRejected: Codable, Sendable, Equatable {
    public var orderId: String
    public var reason: StockRejection
    /// The SKU to blame, where one is.
    public var sku: String?

    public init(orderId: String, reason: StockRejection, sku: String? = nil) {
        self.orderId = orderId
        self.reason = reason
        self.sku = sku
    }
}

/// `stock.released`: compensation after a cancelled order that held a reservation.
public struct StockReleased: Codable, Sendable, Equatable {
    public var orderId: String
    public var items: [OrderItem]

    public init(orderId: String, items: [OrderItem]) {
        self.orderId = orderId
        self.items = items
    }
}

/// `payment.completed`
public struct PaymentCompleted: Codable, Sendable, Equatable {
    public var orderId: String
    public var paymentId: String
    public var amount: Int
    public var currency: String

    public init(orderId: String, paymentId: String, amount: Int, currency: String) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.amount = amount
        self.currency = currency
    }
}

/// Why a payment failed.
public enum PaymentFailure: String, Codable, Sendable, CaseIterable {
    case cardDeclined = "card_declined"
    case insufficientFunds = "insufficient_funds"
    case invalidCard = "invalid_card"
    case providerUnavailable = "provider_unavailable"
}

/// `payment.failed`
public struct PaymentFailed: Codable, Sendable, Equatable {
    public var orderId: String
    public var reason: PaymentFailure

    public init(orderId: String, reason: PaymentFailure) {
        self.orderId = orderId
        self.reason = reason
    }
}

/// `order.confirmed`
public struct OrderConfirmed: Codable, Sendable, Equatable {
    public var orderId: String
    public var customerId: String
    public var amount: Int
    public var currency: String

    public init(orderId: String, customerId: String, amount: Int, currency: String) {
        self.orderId = orderId
        self.customerId = customerId
        self.amount = amount
        self.currency = currency
    }
}

/// `order.cancelled`
public struct OrderCancelled: Codable, Sendable, Equatable {
    /// The reasons an order is cancelled for: a `StockRejection` or `PaymentFailure` raw value, or
    /// `unknown` when the order service was told of none.
    public static let reasons = Set(StockRejection.allCases.map(\.rawValue) + PaymentFailure.allCases.map(\.rawValue))
        .union(["unknown"])

    public var orderId: String
    public var customerId: String
    /// The upstream reason: a `StockRejection` or `PaymentFailure` raw value.
    public var reason: String

    public init(orderId: String, customerId: String, reason: String) {
        self.orderId = orderId
        self.customerId = customerId
        self.reason = reason
    }
}

/// How a notification reached the customer.
public enum NotificationChannel: String, Codable, Sendable, CaseIterable {
    case email, sms, push
}

/// `notification.sent`
public struct NotificationSent: Codable, Sendable, Equatable {
    /// The templates a notification is sent with.
    public static let templates: Set = ["order-confirmed", "order-cancelled"]

    public var customerId: String
    public var orderId: String
    public var channel: NotificationChannel
    public var template: String
    public var message: String

    public init(customerId: String, orderId: String, channel: NotificationChannel, template: String, message: String) {
        self.customerId = customerId
        self.orderId = orderId
        self.channel = channel
        self.template = template
        self.message = message
    }
}
