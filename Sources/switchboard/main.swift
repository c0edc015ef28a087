import Foundation
import SwitchboardApp

let code = await Switchboard.main(
    arguments: Array(CommandLine.arguments.dropFirst()),
    environment: ProcessInfo.processInfo.environment
)
exit(code)
