import JSONBytes

// Each payload reads itself straight from the event's bytes and writes itself straight into the outgoing
// event, with the members and errors of its synthesized `Codable` conformance (kept for code that is not hot):
// members in declaration order, unknown members skipped, an absent optional member omitted, and the first
// member in declaration order that is missing or wrong named in the error.

extension StockRejection: JSONCodable {}
extension PaymentFailure: JSONCodable {}
extension NotificationChannel: JSONCodable {}

extension OrderItem: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var sku = JSONField<String>()
        var quantity = JSONField<Int>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "sku": try sku.read(from: &reader)
            case "quantity": try quantity.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            sku: try sku.value("sku", in: reader),
            quantity: try quantity.value("quantity", in: reader)
        )
        try PayloadRules.sku(self.sku, at: reader)
        try PayloadRules.quantity(self.quantity, at: reader)
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("sku", sku)
        writer.member("quantity", quantity)
        writer.endObject()
    }
}

extension PricedItem: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var sku = JSONField<String>()
        var quantity = JSONField<Int>()
        var unitPrice = JSONField<Int>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "sku": try sku.read(from: &reader)
            case "quantity": try quantity.read(from: &reader)
            case "unitPrice": try unitPrice.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            sku: try sku.value("sku", in: reader),
            quantity: try quantity.value("quantity", in: reader),
            unitPrice: try unitPrice.value("unitPrice", in: reader)
        )
        try PayloadRules.sku(self.sku, at: reader)
        try PayloadRules.quantity(self.quantity, at: reader)
        try PayloadRules.money(self.unitPrice, "unitPrice", at: reader)
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("sku", sku)
        writer.member("quantity", quantity)
        writer.member("unitPrice", unitPrice)
        writer.endObject()
    }
}

extension PaymentDetails: JSONCodable {
    /// Reads `{"token", "last4"}` or, without a token, `{"card"}`; a payment with both is refused.
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var card = JSONField<String?>()
        var token = JSONField<String?>()
        var last4 = JSONField<String?>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "card": try card.read(from: &reader)
            case "token": try token.read(from: &reader)
            case "last4": try last4.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        if let token = try token.value("token", absent: nil) {
            self.init(token: token, last4: try last4.value("last4", absent: nil) ?? "")
            try PayloadRules.identifier(token, "token", at: reader)
            try PayloadRules.require(try card.value("card", absent: nil) == nil, "card", at: reader,
                                     "must not come with a token")
            try PayloadRules.require(PayloadRules.isWellFormedLast4(self.cardLast4), "last4", at: reader,
                                     "must be the card's last 4 digits")
        } else {
            let number = try card.value("card", absent: nil) ?? ""
            self.init(card: number)
            let digits = PayloadRules.cardDigits
            try PayloadRules.require(PayloadRules.isWellFormedCard(number), "card", at: reader,
                                     "must be \(digits.lowerBound) to \(digits.upperBound) digits")
        }
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        if let card { writer.member("card", card) }
        if let token { writer.member("token", token) }
        if let last4 { writer.member("last4", last4) }
        writer.endObject()
    }
}

extension OrderCreated: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var orderId = JSONField<String>()
        var customerId = JSONField<String>()
        var items = JSONField<[OrderItem]>()
        var payment = JSONField<PaymentDetails>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "orderId": try orderId.read(from: &reader)
            case "customerId": try customerId.read(from: &reader)
            case "items": try items.read(from: &reader)
            case "payment": try payment.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            orderId: try orderId.value("orderId", in: reader),
            customerId: try customerId.value("customerId", in: reader),
            items: try items.value("items", in: reader),
            payment: try payment.value("payment", in: reader)
        )
        try PayloadRules.identifier(self.orderId, "orderId", at: reader)
        try PayloadRules.identifier(self.customerId, "customerId", at: reader)
        try PayloadRules.items(self.items.count, at: reader)
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("orderId", orderId)
        writer.member("customerId", customerId)
        writer.member("items", items)
        writer.member("payment", payment)
        writer.endObject()
    }
}

extension StockReserved: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var orderId = JSONField<String>()
        var customerId = JSONField<String>()
        var items = JSONField<[PricedItem]>()
        var amount = JSONField<Int>()
        var currency = JSONField<String>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "orderId": try orderId.read(from: &reader)
            case "customerId": try customerId.read(from: &reader)
            case "items": try items.read(from: &reader)
            case "amount": try amount.read(from: &reader)
            case "currency": try currency.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            orderId: try orderId.value("orderId", in: reader),
            customerId: try customerId.value("customerId", in: reader),
            items: try items.value("items", in: reader),
            amount: try amount.value("amount", in: reader),
            currency: try currency.value("currency", in: reader)
        )
        try PayloadRules.identifier(self.orderId, "orderId", at: reader)
        try PayloadRules.identifier(self.customerId, "customerId", at: reader)
        try PayloadRules.items(self.items.count, at: reader)
        try PayloadRules.money(self.amount, "amount", at: reader)
        try PayloadRules.currency(self.currency, at: reader)
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("orderId", orderId)
        writer.member("customerId", customerId)
        writer.member("items", items)
        writer.member("amount", amount)
        writer.member("currency", currency)
        writer.endObject()
    }
}

extension StockRejected: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var orderId = JSONField<String>()
        var reason = JSONField<StockRejection>()
        var sku = JSONField<String?>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "orderId": try orderId.read(from: &reader)
            case "reason": try reason.read(from: &reader)
            case "sku": try sku.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            orderId: try orderId.value("orderId", in: reader),
            reason: try reason.value("reason", in: reader),
            sku: try sku.value("sku", absent: nil)
        )
        try PayloadRules.identifier(self.orderId, "orderId", at: reader)
        if let sku = self.sku { try PayloadRules.sku(sku, at: reader) }
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("orderId", orderId)
        writer.member("reason", reason)
        if let sku { writer.member("sku", sku) }
        writer.endObject()
    }
}

extension StockReleased: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var orderId = JSONField<String>()
        var items = JSONField<[OrderItem]>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "orderId": try orderId.read(from: &reader)
            case "items": try items.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            orderId: try orderId.value("orderId", in: reader),
            items: try items.value("items", in: reader)
        )
        try PayloadRules.identifier(self.orderId, "orderId", at: reader)
        try PayloadRules.items(self.items.count, at: reader)
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("orderId", orderId)
        writer.member("items", items)
        writer.endObject()
    }
}

extension PaymentCompleted: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var orderId = JSONField<String>()
        var paymentId = JSONField<String>()
        var amount = JSONField<Int>()
        var currency = JSONField<String>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "orderId": try orderId.read(from: &reader)
            case "paymentId": try paymentId.read(from: &reader)
            case "amount": try amount.read(from: &reader)
            case "currency": try currency.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            orderId: try orderId.value("orderId", in: reader),
            paymentId: try paymentId.value("paymentId", in: reader),
            amount: try amount.value("amount", in: reader),
            currency: try currency.value("currency", in: reader)
        )
        try PayloadRules.identifier(self.orderId, "orderId", at: reader)
        try PayloadRules.identifier(self.paymentId, "paymentId", at: reader)
        try PayloadRules.money(self.amount, "amount", at: reader)
        try PayloadRules.currency(self.currency, at: reader)
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("orderId", orderId)
        writer.member("paymentId", paymentId)
        writer.member("amount", amount)
        writer.member("currency", currency)
        writer.endObject()
    }
}

extension PaymentFailed: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var orderId = JSONField<String>()
        var reason = JSONField<PaymentFailure>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "orderId": try orderId.read(from: &reader)
            case "reason": try reason.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            orderId: try orderId.value("orderId", in: reader),
            reason: try reason.value("reason", in: reader)
        )
        try PayloadRules.identifier(self.orderId, "orderId", at: reader)
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("orderId", orderId)
        writer.member("reason", reason)
        writer.endObject()
    }
}

extension OrderConfirmed: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var orderId = JSONField<String>()
        var customerId = JSONField<String>()
        var amount = JSONField<Int>()
        var currency = JSONField<String>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "orderId": try orderId.read(from: &reader)
            case "customerId": try customerId.read(from: &reader)
            case "amount": try amount.read(from: &reader)
            case "currency": try currency.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            orderId: try orderId.value("orderId", in: reader),
            customerId: try customerId.value("customerId", in: reader),
            amount: try amount.value("amount", in: reader),
            currency: try currency.value("currency", in: reader)
        )
        try PayloadRules.identifier(self.orderId, "orderId", at: reader)
        try PayloadRules.identifier(self.customerId, "customerId", at: reader)
        try PayloadRules.money(self.amount, "amount", at: reader)
        try PayloadRules.currency(self.currency, at: reader)
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("orderId", orderId)
        writer.member("customerId", customerId)
        writer.member("amount", amount)
        writer.member("currency", currency)
        writer.endObject()
    }
}

extension OrderCancelled: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var orderId = JSONField<String>()
        var customerId = JSONField<String>()
        var reason = JSONField<String>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "orderId": try orderId.read(from: &reader)
            case "customerId": try customerId.read(from: &reader)
            case "reason": try reason.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            orderId: try orderId.value("orderId", in: reader),
            customerId: try customerId.value("customerId", in: reader),
            reason: try reason.value("reason", in: reader)
        )
        try PayloadRules.identifier(self.orderId, "orderId", at: reader)
        try PayloadRules.identifier(self.customerId, "customerId", at: reader)
        try PayloadRules.require(Self.reasons.contains(self.reason), "reason", at: reader,
                                 "must be one of \(Self.reasons.sorted().joined(separator: ", "))")
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("orderId", orderId)
        writer.member("customerId", customerId)
        writer.member("reason", reason)
        writer.endObject()
    }
}

extension NotificationSent: JSONCodable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        var customerId = JSONField<String>()
        var orderId = JSONField<String>()
        var channel = JSONField<NotificationChannel>()
        var template = JSONField<String>()
        var message = JSONField<String>()
        try reader.beginObject()
        while let key = try reader.nextMember() {
            switch key {
            case "customerId": try customerId.read(from: &reader)
            case "orderId": try orderId.read(from: &reader)
            case "channel": try channel.read(from: &reader)
            case "template": try template.read(from: &reader)
            case "message": try message.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        self.init(
            customerId: try customerId.value("customerId", in: reader),
            orderId: try orderId.value("orderId", in: reader),
            channel: try channel.value("channel", in: reader),
            template: try template.value("template", in: reader),
            message: try message.value("message", in: reader)
        )
        try PayloadRules.identifier(self.customerId, "customerId", at: reader)
        try PayloadRules.identifier(self.orderId, "orderId", at: reader)
        try PayloadRules.require(Self.templates.contains(self.template), "template", at: reader,
                                 "must be one of \(Self.templates.sorted().joined(separator: ", "))")
        try PayloadRules.require(!self.message.isEmpty, "message", at: reader, "must not be empty")
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("customerId", customerId)
        writer.member("orderId", orderId)
        writer.member("channel", channel)
        writer.member("template", template)
        writer.member("message", message)
        writer.endObject()
    }
}
