import EventBus

extension CloudEvent {
    /// A saga event as another service would publish it: correlated by the order id.
    public static func saga(_ type: String, _ payload: some Encodable, order: String = "o-1") throws -> CloudEvent {
        CloudEvent(source: "switchboard/test", type: type, correlationID: order, data: try JSONValue(encoding: payload))
    }

    /// An event of order `o-1` with hand-written data, e.g. malformed.
    public static func raw(_ type: String, _ data: JSONValue) -> CloudEvent {
        CloudEvent(source: "switchboard/test", type: type, correlationID: "o-1", data: data)
    }
}
