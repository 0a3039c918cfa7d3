from programme.cli import main

main()
