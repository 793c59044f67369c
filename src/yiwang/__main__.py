from yiwang.cli import main

raise SystemExit(main())
