import Foundation
import SwitchboardApp

MallocTuning.apply()
let code = await Switchboard.main(
    arguments: Array(CommandLine.arguments.dropFirst()),
    environment: ProcessInfo.processInfo.environment
)
exit(code)
