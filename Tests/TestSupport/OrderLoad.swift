import Foundation
import Synchronization

/// Orders sent over HTTP by a few concurrent clients until stopped, each with `Prefer: wait=10` so that its
/// answer says when it was confirmed; what each answer was and when it came.
public final class OrderLoad: Sendable {
    /// One answered `POST /orders`.
    public struct Answer: Sendable {
        /// When the request was sent, since the load started.
        public var sent: Duration
        /// When the answer came, since the load started.
        public var answered: Duration
        /// The HTTP status, or 0 when no answer came.
        public var status: Int
        /// The order's id, when the ingress acknowledged it (200 or 202).
        public var orderID: String?
        /// The order's status in the answer (`confirmed`, `cancelled`, `pending`, …).
        public var orderStatus: String?
    }

    /// When the load was created.
    public let started = ContinuousClock.now
    /// A load that has not started: `run` sends.
    public init() {}

    private let answers = Mutex<[Answer]>([])
    private let isStopped = Atomic<Bool>(false)

    /// Sends orders from `clients` concurrent clients until `stop()`; returns when all have stopped.
    public func run(http: HTTPClient, clients: Int = 4) async {
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask { await self.send(http: http, client: client) }
            }
        }
    }

    /// Stops sending; requests in flight still finish.
    public func stop() {
        isStopped.store(true, ordering: .relaxed)
    }

    /// Now, since the load started.
    public var elapsed: Duration { ContinuousClock.now - started }

    /// Every answer so far.
    public var all: [Answer] { answers.withLock { $0 } }

    private func send(http: HTTPClient, client: Int) async {
        var number = 0
        while !isStopped.load(ordering: .relaxed) {
            number += 1
            // Every 10th order pays with a declining card, so some end cancelled and release their stock.
            let card = number % 10 == 0 ? "4000000000000002" : "4242424242424242"
            let body = #"{"customerId":"c-ha-\#(client)","items":[{"sku":"BOOK-1","quantity":1}],"#
                + #""payment":{"card":"\#(card)"}}"#
            let sent = elapsed
            let reply = try? await http.post("/orders", json: body, headers: ["Prefer": "wait=10"])
            var answer = Answer(sent: sent, answered: elapsed, status: reply?.status ?? 0)
            if let reply, [200, 202].contains(reply.status),
               let object = try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any] {
                answer.orderID = (object["orderId"] ?? object["id"]) as? String
                answer.orderStatus = object["status"] as? String
            }
            answers.withLock { $0.append(answer) }
            if reply == nil || reply?.status == 503 {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
