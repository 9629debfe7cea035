from nnsim.cli import main

raise SystemExit(main())
