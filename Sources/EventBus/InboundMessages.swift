/// The messages a transport hands one consumer (`EventTransport.consume`), in order, until the transport ends
/// them or the consuming task is cancelled.
///
/// Pub/sub's come from the subscription's `BoundedInbox`, and a message already waiting there is taken
/// without suspending: under load the consumer is behind, so nearly every message is. (An `AsyncStream`
/// suspends on a continuation and registers a cancellation handler for every element, waiting or not.)
/// Other transports hand theirs over as an `AsyncStream`.
public struct InboundMessages: AsyncSequence, Sendable {
    public typealias Element = InboundMessage
    public typealias Failure = Never

    private enum Source: Sendable {
        case inbox(BoundedInbox)
        case stream(AsyncStream<InboundMessage>)
    }

    private let source: Source

    /// The messages of `stream`, as they come.
    public init(_ stream: AsyncStream<InboundMessage>) {
        source = .stream(stream)
    }

    /// The messages `inbox` takes in, until it is finished or its consumer is cancelled.
    public init(_ inbox: BoundedInbox) {
        source = .inbox(inbox)
    }

    public func makeAsyncIterator() -> Iterator {
        switch source {
        case .inbox(let inbox): Iterator(base: .inbox(inbox))
        case .stream(let stream): Iterator(base: .stream(stream.makeAsyncIterator()))
        }
    }

    /// Takes the messages one at a time; one consumer at a time.
    public struct Iterator: AsyncIteratorProtocol {
        fileprivate enum Base {
            case inbox(BoundedInbox)
            case stream(AsyncStream<InboundMessage>.Iterator)
        }

        fileprivate var base: Base

        /// The next message; `nil` once the messages ended or the task was cancelled.
        public mutating func next() async -> InboundMessage? {
            switch base {
            case .inbox(let inbox):
                return await inbox.next()
            case .stream(var iterator):
                let message = await iterator.next(isolation: #isolation)
                base = .stream(iterator)
                return message
            }
        }
    }
}
