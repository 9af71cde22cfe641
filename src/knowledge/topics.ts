/**
 * What smsdiag knows about SMS HA, as data: one entry per condition and per explain topic.
 * The facts come from the vendor's troubleshooting guide; every sentence here is the project's own.
 */

export interface CauseAdvice {
  id: string;
  title: string;
  why: string;
  nextSteps: string[];
}

export interface Topic {
  id: string;
  kind: 'condition' | 'topic';
  title: string;
  aliases: string[];
  meaning: string;
  whatToCheck: string[];
  nextSteps: string[];
  causes: CauseAdvice[];
  related: string[];
}

const HEALTH_CHECK_STEPS = (what: string): string[] => [
  `Read sms-info.log on this node for the minutes before the ${what} check failed: the first exception there usually names the real fault.`,
  'Fix that fault, then bring the node back into the cluster by synchronizing from the active node.',
  'If it fails again within hours, collect both nodes (smsdiag collect --peer) and open a support case with the bundle.',
];

export const TOPICS: readonly Topic[] = [
  {
    id: 'ha-failed',
    kind: 'condition',
    title: 'HA Failed',
    aliases: ['failed', 'ha-failed-state'],
    meaning:
      'The node put its HA service into the Failed state: it no longer takes part in the cluster and will not take over. Failed is a protective state, so what matters is the reason the node chose it — some reasons are expected, some point to a real fault.',
    whatToCheck: [
      'When it first happened: grep "Local state: Failed" ha.log* on the node, or smsdiag timeline --around TIME.',
      'What the node logged in sms-info.log just before that time.',
      'Whether the peer had just become Active (then the Failed state is the guard against active/active).',
      'Whether the node had just come back from a power loss or a hard reset.',
    ],
    nextSteps: [
      'Find the cause first (smsdiag explain failed PATH shows the one smsdiag concluded).',
      'Once the cause is dealt with, synchronize the node from the active one to return it to Passive.',
      'Never power the node off to "reset" HA: that risks file system and database damage.',
    ],
    causes: [
      {
        id: 'peer-requested',
        title: 'Asked to fail by an active peer',
        why: 'The passive node took over and then saw this node still Active; it told this node to go to Failed so that only one node serves. This is the design working.',
        nextSteps: [
          'Look at why the passive node took over (smsdiag explain takeover PATH): that is the incident to investigate.',
          'When the cause of the takeover is resolved, synchronize to make this node Passive again, or fail back to it as the primary.',
        ],
      },
      {
        id: 'improper-shutdown',
        title: 'Restarted after an unclean stop',
        why: 'The node (or its database) stopped without a clean shutdown — power loss, a hard reset, a killed process — and HA starts in Failed after such a stop. That is expected behaviour after an improper shutdown.',
        nextSteps: [
          'Check mysqld.err for crash recovery and corruption messages from the restart; run smsdiag explain corruption PATH.',
          'If the database is healthy, synchronize from the active node to rejoin the cluster.',
          'Find out who or what cut the power and make sure nodes with HA enabled are only stopped through the SMS itself.',
        ],
      },
      { id: 'local-health-check:database', title: "The node's own database check failed", why: 'The HA service tests its local database; when the test failed, the node left the cluster.', nextSteps: HEALTH_CHECK_STEPS('database') },
      { id: 'local-health-check:jboss', title: "The node's own application server check failed", why: 'The HA service tests the local JBoss application server; when it stopped answering, the node left the cluster.', nextSteps: HEALTH_CHECK_STEPS('JBoss') },
      { id: 'local-health-check:interface', title: 'A network interface check failed', why: 'A local network interface the cluster depends on was found down.', nextSteps: ['Check the interface, cable and switch port (ip addr, ip link, the switch logs).', ...HEALTH_CHECK_STEPS('interface').slice(1)] },
      { id: 'local-health-check:heartbeat', title: 'The heartbeat check failed', why: 'The node could not exchange heartbeats with its peer.', nextSteps: ['Check the private and public paths between the nodes (smsdiag explain heartbeat).', ...HEALTH_CHECK_STEPS('heartbeat').slice(1)] },
      {
        id: 'unknown',
        title: 'No cause found in the logs given',
        why: 'Nothing near the Failed state — no request from the peer, no unclean restart, no failed health check — explains it within the logs smsdiag read.',
        nextSteps: [
          'Read sms-info.log from both nodes for the ten minutes before the Failed state.',
          'Check that the logs reach back far enough; rotation may have removed the start (use --incident TIME).',
          'Collect both nodes and open a support case with the bundle and the time of the failure.',
        ],
      },
    ],
    related: ['passive-takeover', 'unclean-shutdown', 'states', 'power-off'],
  },
  {
    id: 'passive-takeover',
    kind: 'condition',
    title: 'Passive takeover',
    aliases: ['takeover', 'failover'],
    meaning:
      'The passive node decided the active node was gone and promoted itself to Active. Either the active server really failed, or the network between the two nodes failed while both were fine — and the two call for opposite actions.',
    whatToCheck: [
      'On the node that took over: grep "considering cluster takeover" ha.log* and "attempting to restart active system" ha.log*.',
      'On that node, the peer health-check failures in the same minutes (database, JBoss, heartbeat, interface).',
      'On the old active node, local health-check failures, database crashes and Java out-of-memory errors in the same minutes.',
    ],
    nextSteps: [
      'Decide between a server cause and a network cause (smsdiag explain takeover PATH does this from both nodes).',
      'Investigate and fix the cause before synchronizing; a resync on top of an unresolved server fault repeats the failover.',
    ],
    causes: [
      {
        id: 'network',
        title: 'The link between the nodes failed',
        why: 'Only heartbeat and interface trouble preceded the takeover; with no server fault logged, both servers were probably working and simply lost sight of each other.',
        nextSteps: [
          'Make the link between the nodes reliable: round-trip delay well under 300 ms and enough bandwidth for heartbeats and database replication.',
          'Configure both a private (cluster) and a public interface so the heartbeat has a second path.',
          'If both nodes ended up Active, fail back to the primary by synchronizing (smsdiag explain split-brain).',
        ],
      },
      {
        id: 'server:database',
        title: "The active node's database failed",
        why: 'The old active node reported a database failure (crash, corruption or a failed database check) just before the takeover.',
        nextSteps: [
          "Read the old active node's mysqld.err around the takeover (smsdiag explain crash / corruption PATH).",
          'Repair or restore the database on that node before any resynchronization.',
          'Then review the load that led there: number of managed devices, device event rate, profile and DV distribution.',
        ],
      },
      {
        id: 'server:jboss',
        title: "The active node's application server stopped answering",
        why: 'The JBoss health check of the old active node failed before the takeover.',
        nextSteps: [
          "Read the old active node's sms-info.log before the takeover for the first exception and for out-of-memory errors.",
          'Check the server for exhausted memory, file systems or threads before resynchronizing.',
          'Review managed device count, event rate, profile and DV distribution: an overloaded primary fails this way again.',
        ],
      },
      {
        id: 'server:oom',
        title: "The active node's Java server ran out of memory",
        why: 'A java.lang.OutOfMemoryError was logged on the old active node before the takeover.',
        nextSteps: [
          'Run smsdiag explain oom PATH for the variant and what it means.',
          'Reduce the load or raise resources on that node before resynchronizing; restart the SMS services cleanly.',
        ],
      },
      {
        id: 'server:overload',
        title: 'The active node was overloaded',
        why: 'Health checks on the old active node failed for lack of resources before the takeover.',
        nextSteps: [
          'Check memory, file systems and threads on that node.',
          'Review managed device count, device event rate, profile and DV distribution.',
        ],
      },
      {
        id: 'unknown',
        title: 'No cause found in the logs given',
        why: 'Neither a server fault nor heartbeat trouble was logged before the takeover in the logs smsdiag read.',
        nextSteps: ['Collect both nodes soon after the event (smsdiag collect --peer) so rotation does not remove the evidence, and open a support case with the bundle.'],
      },
    ],
    related: ['ha-failed', 'split-brain', 'heartbeat-loss', 'heartbeat'],
  },
  {
    id: 'ha-degraded',
    kind: 'condition',
    title: 'HA degraded',
    aliases: ['degraded'],
    meaning:
      'The cluster still runs but not with full protection: the HA service reported DEGRADED HA (SMS 4.0 and later). Something the cluster relies on is failing and a further fault may cost availability.',
    whatToCheck: ['grep "DEGRADED HA" ha.log.* for when it started.', 'Exceptions in sms-info.log* in the minutes before each DEGRADED HA line, and what was logged before each exception.'],
    nextSteps: [
      'Work through the exceptions that precede the degraded state, earliest first; smsdiag keeps those near the event as evidence.',
      'Watch for Java out-of-memory errors and database errors, which commonly lead here.',
    ],
    causes: [],
    related: ['java-oom', 'replication-broken'],
  },
  {
    id: 'java-oom',
    kind: 'condition',
    title: 'Java out of memory',
    aliases: ['oom', 'out-of-memory', 'outofmemoryerror'],
    meaning:
      'The SMS Java server could not get the memory it needed (java.lang.OutOfMemoryError). After that the server behaves unpredictably: requests fail, health checks fail, and HA may degrade or fail over.',
    whatToCheck: [
      'grep "java.lang.OutOfMemoryError" tpt_sms.txt and sms-info.log*.',
      'The variant after the colon: "Java heap space" and "GC overhead limit exceeded" mean the heap is too small for the load; "Metaspace" points at class loading; "unable to create new native thread" at a thread or process limit; "Requested array size exceeds VM limit" at one oversized request.',
    ],
    nextSteps: [
      'Restart the SMS services cleanly to recover the node.',
      'Reduce what drives memory use (device count, event rate, very large reports or profiles) or add memory.',
      'Send tpt_sms.txt and the heap dump path it names, if any, with the support case.',
    ],
    causes: [],
    related: ['ha-degraded', 'passive-takeover'],
  },
  {
    id: 'db-corruption',
    kind: 'condition',
    title: 'Database corruption',
    aliases: ['corruption', 'corrupt'],
    meaning: 'The database server found damaged tables or pages. Queries on them fail, replication to the passive node may stop, and the damage can spread if writes continue.',
    whatToCheck: ['mysqld.err (on the SMS: /var/lib/mysql/dbdatadir/mysqld.err) for "marked as crashed", "is corrupt", "page corruption" and "Incorrect key file".', 'Whether an unclean shutdown or a power loss came shortly before.'],
    nextSteps: ['Stop writes to the affected node if you can, and contact support before repairing: the SMS database has its own repair and restore procedures.', 'Keep the passive node out of resynchronization until the active copy is known to be good.'],
    causes: [],
    related: ['db-crash', 'unclean-shutdown', 'power-off'],
  },
  {
    id: 'db-crash',
    kind: 'condition',
    title: 'Database crash',
    aliases: ['crash', 'mysql-crash'],
    meaning: 'The database server process died (a signal such as 11 or 6, or a failed internal assertion) and wrote a crash report. Everything on the SMS that needs the database stops until it is back.',
    whatToCheck: ['mysqld.err for "got signal", "Assertion failure" and the backtrace that follows.', 'What the restart logged afterwards: crash recovery and any corruption.'],
    nextSteps: ['Keep mysqld.err with its crash report for support.', 'Check disk space and memory on the node: a full disk or exhausted memory often precedes a crash.', 'If it crashes again, do not resynchronize the cluster onto this node until support has looked at it.'],
    causes: [],
    related: ['db-corruption', 'passive-takeover'],
  },
  {
    id: 'replication-broken',
    kind: 'condition',
    title: 'Replication broken',
    aliases: ['replication'],
    meaning: 'The passive node is no longer receiving the active node\'s database changes, or is falling far behind. A takeover now would bring up stale data, and the cluster cannot protect you until replication is restored.',
    whatToCheck: ['mysqld.err on the passive node for "Slave I/O" and "Slave SQL" errors and "replication stopped".', 'ha.log for growing "Replication delay" values.', 'Whether a patch with database changes or an upgrade was applied while HA was enabled.'],
    nextSteps: ['Fix the cause (link, disk, conflicting rows), then resynchronize the passive node from the active one.', 'Apply future database patches and upgrades with HA disabled (smsdiag explain upgrade).'],
    causes: [],
    related: ['maintenance-under-ha', 'external-replication'],
  },
  {
    id: 'split-brain',
    kind: 'condition',
    title: 'Split brain (active/active)',
    aliases: ['active-active', 'splitbrain'],
    meaning: 'Both nodes were Active at the same time for longer than a takeover takes. Devices and clients may have talked to either one, so the two databases have drifted apart.',
    whatToCheck: ['Heartbeat failures on both nodes just before the overlap.', 'Whether both servers were otherwise healthy (no database or Java faults).'],
    nextSteps: ['Decide which node holds the data you keep — normally the primary.', 'Fail back to it by synchronizing the cluster from that node.', 'Then fix the heartbeat path so it cannot happen again (smsdiag explain heartbeat).'],
    causes: [
      {
        id: 'heartbeat-path',
        title: 'The heartbeat path failed in both directions',
        why: 'Heartbeats were lost while both servers kept working, so each believed the other was gone.',
        nextSteps: ['Fail back to the primary by synchronizing.', 'Give the heartbeat two paths (private and public) and keep the link delay well under 300 ms.'],
      },
      { id: 'unknown', title: 'No heartbeat loss found', why: 'The overlap is in the logs but no heartbeat failure precedes it in what smsdiag read.', nextSteps: ['Fail back to the primary by synchronizing, then collect both nodes for support.'] },
    ],
    related: ['passive-takeover', 'heartbeat-loss', 'heartbeat'],
  },
  {
    id: 'no-brain',
    kind: 'condition',
    title: 'No active node',
    aliases: ['none-active', 'nobrain'],
    meaning: 'For a while neither node was Active even though HA was enabled: nobody served clients or managed devices.',
    whatToCheck: ['What each node was doing in that span (smsdiag state PATH, smsdiag timeline --around TIME).', 'An administrator swap or restart just before it.'],
    nextSteps: ['Bring one node to Active — normally the primary — through the SMS, not by power cycling.', 'If a swap left both nodes waiting, collect both nodes for support.'],
    causes: [],
    related: ['states', 'ha-failed'],
  },
  {
    id: 'heartbeat-loss',
    kind: 'condition',
    title: 'Heartbeat loss',
    aliases: ['missed-heartbeat', 'heartbeats'],
    meaning: 'Heartbeats between the nodes went unanswered, or answers were slow. Three missed in a row is what makes the passive node take over, so this is the early warning of a network-caused failover.',
    whatToCheck: ['"No heartbeat reply" and "trying public network" lines in ha.log.', 'Reply latencies above 300 ms.'],
    nextSteps: ['Check the private and public paths between the nodes: cabling, switches, firewalls, link delay.', 'Keep the round trip well under 300 ms; add the second (private) interface if only one is configured.'],
    causes: [],
    related: ['heartbeat', 'passive-takeover', 'split-brain'],
  },
  {
    id: 'unclean-shutdown',
    kind: 'condition',
    title: 'Unclean shutdown',
    aliases: ['improper-shutdown', 'power-loss'],
    meaning: 'A node (or its database) came back up without having shut down cleanly: power loss, a hard reset or a killed process. With HA enabled this risks file system and database corruption, and the node typically enters HA Failed afterwards.',
    whatToCheck: ['mysqld.err: a "ready for connections" with no "Shutdown complete" before it, and "crash recovery" lines.', 'Corruption messages after the restart.'],
    nextSteps: ['Check the database for corruption (smsdiag explain corruption PATH).', 'Resynchronize the node from the active one once it is healthy.', 'Make sure nobody powers off nodes with HA enabled (smsdiag explain power-off).'],
    causes: [],
    related: ['power-off', 'ha-failed', 'db-corruption'],
  },
  {
    id: 'maintenance-under-ha',
    kind: 'condition',
    title: 'Maintenance with HA enabled',
    aliases: ['patch-under-ha', 'upgrade-under-ha'],
    meaning: 'A patch with database changes, or an upgrade, was applied while HA was enabled. That breaks database replication between the nodes.',
    whatToCheck: ['"Applying patch … (database changes: yes)" and "Upgrade to … started" in ha.log, and whether HA was disabled before them.'],
    nextSteps: ['Disable HA, bring both nodes to the same version separately, then configure HA again and synchronize (smsdiag explain upgrade).'],
    causes: [],
    related: ['upgrade', 'replication-broken'],
  },
  {
    id: 'ipv6-unsupported',
    kind: 'condition',
    title: 'IPv6 HA peer',
    aliases: ['ipv6-peer'],
    meaning: 'HA was configured with an IPv6 peer address. SMS HA clusters over IPv4 only.',
    whatToCheck: ['"HA configured with peer" lines in ha.log.'],
    nextSteps: ['Configure the cluster with the peers\' IPv4 addresses.'],
    causes: [],
    related: ['ipv6'],
  },
  {
    id: 'log-rollover-gap',
    kind: 'condition',
    title: 'Evidence lost to log rotation',
    aliases: ['rollover', 'rotation-gap'],
    meaning: 'The oldest entry still kept in a kind of log is later than the time of the incident: the lines that would explain it were rotated away.',
    whatToCheck: ['The oldest retained rotation of each log (smsdiag analyze lists each file\'s first and last time in --json).'],
    nextSteps: ['Collect logs as soon as possible after an incident (smsdiag collect --peer --incident TIME).', 'Look for older copies: a central syslog server, backups, an earlier bundle.'],
    causes: [],
    related: ['collect-logs'],
  },
  {
    id: 'clock-skew',
    kind: 'condition',
    title: 'Clock skew',
    aliases: ['skew', 'clocks'],
    meaning: 'The nodes\' clocks disagree, so their logs put the same moment at different times. Reading both nodes side by side without correcting this can reverse cause and effect.',
    whatToCheck: ['The clock sample in a bundle\'s facts, or events that must be ordered (a takeover before the peer is told to fail).'],
    nextSteps: ['Correct for it when reading: --clock NODE=+SECONDS (bundles from smsdiag collect carry the measurement).', 'Run NTP on both nodes against the same servers.'],
    causes: [],
    related: ['states'],
  },
  {
    id: 'upgrade',
    kind: 'topic',
    title: 'Applying updates to a cluster',
    aliases: ['patch', 'hotfix', 'update'],
    meaning: 'Software upgrades and patches or hotfixes that change the database must not be applied to a running cluster: they break replication between the nodes.',
    whatToCheck: ['Whether the patch notes say it has database changes.'],
    nextSteps: ['Disable HA.', 'Update each node on its own to the same version.', 'Configure HA again and synchronize the cluster.', 'A patch without database changes can be applied with HA enabled, from the active node.'],
    causes: [],
    related: ['maintenance-under-ha', 'replication-broken'],
  },
  {
    id: 'ipv6',
    kind: 'topic',
    title: 'IPv6 and SMS HA',
    aliases: [],
    meaning: 'SMS HA does not support IPv6 between the cluster nodes; the peers must reach each other over IPv4.',
    whatToCheck: [],
    nextSteps: ['Use IPv4 addresses for the cluster configuration.'],
    causes: [],
    related: ['ipv6-unsupported'],
  },
  {
    id: 'external-replication',
    kind: 'topic',
    title: 'External database replication',
    aliases: ['external-db'],
    meaning: 'External replication uses the same database replication mechanism as HA, and replication has a single destination, so the two cannot be used together.',
    whatToCheck: [],
    nextSteps: ['Choose either HA or external replication for a given SMS.'],
    causes: [],
    related: ['replication-broken'],
  },
  {
    id: 'snmp-nat',
    kind: 'topic',
    title: 'SNMP and NAT settings in a cluster',
    aliases: ['snmp', 'nat'],
    meaning: 'SNMP and NAT settings are not replicated from the active to the passive node, and the passive node cannot be configured through the client once HA is on.',
    whatToCheck: [],
    nextSteps: ['Configure SNMP and NAT on the node that will be passive before enabling HA.'],
    causes: [],
    related: [],
  },
  {
    id: 'unmanaged-devices',
    kind: 'topic',
    title: 'Devices unmanaged after disabling HA',
    aliases: ['unmanaged'],
    meaning: 'When HA is disabled on a cluster whose roles were swapped, devices stay with the SMS that managed them, so some appear unmanaged on the node you are looking at.',
    whatToCheck: ['Run "show sms" on a device to see which SMS manages it.'],
    nextSteps: ['Unmanage such devices on the other SMS and manage them on this one, or manage them from the SMS that owns them.'],
    causes: [],
    related: [],
  },
  {
    id: 'collect-logs',
    kind: 'topic',
    title: 'Collecting logs for support',
    aliases: ['collect', 'logs'],
    meaning: 'Support needs the logs of both nodes, a description of the problem and when it happened — collected soon, before rotation removes the evidence.',
    whatToCheck: [],
    nextSteps: [
      'On the primary: smsdiag collect --peer --incident "YYYY-MM-DD HH:MM" --description "what you saw".',
      'The SMS CLI can also create them: set logs.create=yes on a node, set logs.create-peer=yes for the peer; if the peer command fails, SSH to the peer and run the first one there.',
      'Attach the bundle and its .sha256 file to the case.',
    ],
    causes: [],
    related: ['access-secondary', 'log-rollover-gap'],
  },
  {
    id: 'access-secondary',
    kind: 'topic',
    title: 'Reaching the secondary node',
    aliases: ['ssh', 'secondary'],
    meaning: 'Once HA is enabled the client cannot log in to the passive node. From the primary, in service mode, the cluster\'s own key reaches it.',
    whatToCheck: [],
    nextSteps: ['ssh -i /root/.ssh/sms-ha.rsa root@SECONDARY_IP', 'smsdiag collect --peer uses the same user and key.'],
    causes: [],
    related: ['collect-logs'],
  },
  {
    id: 'states',
    kind: 'topic',
    title: 'HA states and transitions',
    aliases: ['state', 'transitions'],
    meaning:
      'Enabling HA walks each node through Un-configured, Configured, a synchronization state (synchronization-source on the primary, synchronization-target on the secondary), Restart, and finally Active (primary) or Passive (secondary). A transition that fails sends the node back to the state it came from. Failed and Degraded are outside that path.',
    whatToCheck: ['cat /etc/ha.state', 'grep "Local state:" ha.log', 'get HA in the SMS CLI', 'smsdiag state PATH'],
    nextSteps: [],
    causes: [],
    related: ['ha-failed', 'no-brain'],
  },
  {
    id: 'heartbeat',
    kind: 'topic',
    title: 'The cluster heartbeat',
    aliases: [],
    meaning:
      'The passive node asks the active one for a heartbeat every minute by default. When no answer comes it retries and, if configured, tries the public network after the private one. Three consecutive failures make the passive node assume the active one is gone and take over — even if that node is healthy and only the link failed.',
    whatToCheck: ['"No heartbeat reply", "trying public network" and reply times in ha.log.'],
    nextSteps: ['Keep the link delay well under 300 ms.', 'Configure both a private and a public interface.'],
    causes: [],
    related: ['heartbeat-loss', 'passive-takeover', 'split-brain'],
  },
  {
    id: 'power-off',
    kind: 'topic',
    title: 'Powering off a node',
    aliases: ['shutdown', 'poweroff'],
    meaning: 'Cutting power to a node while HA is enabled can leave its file system and database damaged beyond repair.',
    whatToCheck: [],
    nextSteps: [
      'If a node does not respond, SSH to it from its peer and restart the database and SMS services by hand.',
      'To stop or restart the whole cluster, use the CLI command from the primary.',
    ],
    causes: [],
    related: ['unclean-shutdown'],
  },
];
