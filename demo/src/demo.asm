; The emu demo disk: what `emu` boots when it is given no disk, kernel or boot option.
;
; A hard disk image: sector 0 is a master boot record that loads the program (the sectors after
; it) to 1000:0000 and runs it with DL = the boot drive. The program
;   1. shows, on the 80x25 text screen, the BIOS's view of the machine: INT 12h conventional
;      memory, the INT 15h E820h address map and the RAM it adds up to, the boot drive, the
;      hard disks by INT 13h 08h/41h/48h and the floppy drives by INT 11h, and the CPU by CPUID
;      (vendor, family/model/stepping, brand string, feature flags);
;   2. on a key, or after SHOW_TICKS timer ticks, sets an 800x600x32 VBE mode with a linear
;      framebuffer (INT 10h 4F00h/4F01h/4F02h) and draws: a title bar, a bouncing square that
;      moves every timer tick, a status line (mouse position and buttons, keys, ticks), a box
;      that echoes the keys INT 16h returns, and a mouse pointer driven by the PS/2 mouse, which
;      the program programs through the 8042 itself with its own IRQ12 handler (no INT 15h C2xxh).
;
; The drawing rules (tests compute pixels from them; keep DemoDiskTests in step):
;   background at (x, y), where nothing else is:  ((x >> 2) << 16) | ((y / 3) << 8) | 50h
;   title bar:   y 0-31, colour TITLE_BG, text at (8, 8) in white on TITLE_BG
;   square:      SQ_SIZE x SQ_SIZE of SQ_COLOUR, inside y 40-439
;   status line: y 440-455, text at (8, 440) in white on black
;   echo box:    x 16-783, y 456-591 black; typed characters in ECHO_FG from (24, 460),
;                8x16 cells of the VGA BIOS's 8x16 font (INT 10h 1130h BH=6), 94 columns, 8 rows
;   pointer:     the 12x17 arrow `pointer_rows` (X black, o white), hot spot (its top left) at
;                the mouse position, which starts at (400, 300)
;
; Big real mode ("unreal"): the framebuffer lies above 1 MiB, so FS is given a 4 GiB limit by
; loading it in protected mode and returning (Intel SDM vol. 3, 9.9.2: real mode keeps the
; hidden limit); FS is reloaded that way before every drawing pass, with interrupts off, because
; a BIOS that visits protected mode (SeaBIOS's call32) resets the limits on its way back.
;
; Build: demo/build.sh (NASM). The image is the MBR plus the program, padded to whole sectors.

PROG_SEG        equ     0x1000          ; where the MBR loads the program
STACK_SEG       equ     0x8000

SHOW_TICKS      equ     146             ; 8 s of 18.2 Hz BIOS ticks (BDA 40:6C)

SCR_W           equ     800
SCR_H           equ     600
TITLE_BG        equ     0x202060
SQ_SIZE         equ     40
SQ_COLOUR       equ     0xFFD040
SQ_TOP          equ     40
SQ_BOTTOM       equ     440             ; first row below the square's area
ECHO_X          equ     16
ECHO_Y          equ     456
ECHO_W          equ     768
ECHO_H          equ     136
ECHO_FG         equ     0x40FF40
ECHO_COLS       equ     94
ECHO_ROWS       equ     8
PTR_W           equ     12
PTR_H           equ     17

; ======================================================================== MBR (sector 0)
        section mbr start=0 vstart=0x7C00
        bits    16
mbr:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     ss, ax
        mov     sp, 0x7C00
        sti
        jmp     0:.go                   ; some BIOSes enter at 07C0:0000
.go:    mov     [boot_drive], dl
        ; EDD present (41h: BX AA55h, CX bit 0 = the packet functions)? Then 42h, else CHS 02h.
        mov     ah, 0x41
        mov     bx, 0x55AA
        int     0x13
        jc      .chs
        cmp     bx, 0xAA55
        jne     .chs
        test    cl, 1
        jz      .chs
        mov     si, dap
        mov     ah, 0x42
        mov     dl, [boot_drive]
        int     0x13
        jnc     .run
.chs:   mov     ax, PROG_SEG
        mov     es, ax
        xor     bx, bx
        mov     ax, 0x0200 | PROG_SECTORS
        mov     cx, 0x0002              ; cylinder 0, sector 2: right after the MBR
        xor     dh, dh
        mov     dl, [boot_drive]
        int     0x13
        jc      .fail
.run:   mov     dl, [boot_drive]
        jmp     PROG_SEG:0
.fail:  mov     si, fail_msg
.print: lodsb
        test    al, al
        jz      .halt
        mov     ah, 0x0E
        mov     bx, 0x0007
        int     0x10
        jmp     .print
.halt:  hlt
        jmp     .halt

fail_msg:       db      "emu demo: cannot read the disk", 0
boot_drive:     db      0
dap:            db      16, 0           ; EDD 3.0 disk address packet
                dw      PROG_SECTORS, 0, PROG_SEG
                dq      1
        times   446 - ($ - $$) db 0
        times   64 db 0                 ; no partitions
        dw      0xAA55

; ======================================================================== the program
        section prog start=512 vstart=0 align=1
        bits    16
prog:
        cli
        mov     ax, PROG_SEG
        mov     ds, ax
        mov     ax, STACK_SEG
        mov     ss, ax
        mov     esp, 0xFFF0
        sti
        cld
        mov     [drive], dl
        mov     word [emit_fn], text_emit
        mov     ax, 0x0003              ; 80x25 colour text, cleared
        int     0x10
        mov     ah, 0x01                ; cursor off (CH bit 5)
        mov     cx, 0x2000
        int     0x10
        call    show_machine
        call    wait_key_or_time
        call    graphics
.halt:  hlt
        jmp     .halt

; ------------------------------------------------------------------------ text output
; emit: the character in AL goes to the text screen at (row, col) with attr, or into the
; framebuffer at (gx, gy); both advance. Formatting routines only call emit.
emit:   jmp     [emit_fn]

text_emit:
        push    es
        push    di
        push    ax
        mov     di, 0xB800
        mov     es, di
        mov     di, [row]
        imul    di, di, 80
        add     di, [col]
        shl     di, 1
        mov     ah, [attr]
        stosw
        inc     word [col]
        pop     ax
        pop     di
        pop     es
        ret

; puts: the zero-terminated string at DS:SI.
puts:   push    ax
.l:     lodsb
        test    al, al
        jz      .e
        call    emit
        jmp     .l
.e:     pop     ax
        ret

%macro PRINT 1
        jmp     %%over
%%s:    db      %1, 0
%%over: push    si
        mov     si, %%s
        call    puts
        pop     si
%endmacro

; at: move the text cursor to row %1, column %2.
%macro AT 2
        mov     word [row], %1
        mov     word [col], %2
%endmacro

newline:
        inc     word [row]
        mov     word [col], 9
        ret

; put_dec: EAX in decimal.
put_dec:
        pushad
        mov     ebx, 10
        xor     cx, cx
.div:   xor     edx, edx
        div     ebx
        push    dx
        inc     cx
        test    eax, eax
        jnz     .div
.out:   pop     ax
        add     al, '0'
        call    emit
        loop    .out
        popad
        ret

; put_hex: the low CX hex digits of EAX.
put_hex:
        pushad
        mov     edx, eax
        mov     bx, cx
        shl     cx, 2
        ror     edx, cl                 ; the first digit to print is now at the top
.l:     rol     edx, 4
        mov     al, dl
        and     al, 0x0F
        add     al, '0'
        cmp     al, '9'
        jbe     .d
        add     al, 'A' - '0' - 10
.d:     call    emit
        dec     bx
        jnz     .l
        popad
        ret

; ------------------------------------------------------------------------ the text screen
show_machine:
        mov     byte [attr], 0x1F
        AT      0, 0
        mov     cx, 80
.bar:   mov     al, ' '
        call    emit
        loop    .bar
        AT      0, 2
        PRINT   "emu demo disk - the BIOS's view of this machine"
        call    show_memory
        call    show_disks
        call    show_cpu
        mov     byte [attr], 0x70
        AT      24, 0
        mov     cx, 80
.bar2:  mov     al, ' '
        call    emit
        loop    .bar2
        AT      24, 2
        PRINT   "Press a key for the graphics demo (VBE 800x600, keys, mouse), or wait "
        mov     ax, [col]
        mov     [count_col], ax
        ret

heading:                                ; SI = the heading; row already set
        mov     word [col], 0
        mov     byte [attr], 0x0E
        call    puts
        mov     word [col], 9
        mov     byte [attr], 0x07
        ret

show_memory:
        mov     word [row], 2
        mov     si, s_memory
        call    heading
        PRINT   "INT 12h: "
        int     0x12
        movzx   eax, ax
        mov     byte [attr], 0x0F
        call    put_dec
        mov     byte [attr], 0x07
        PRINT   " KiB conventional"
        ; E820h: list the map, add up RAM (types 1, 3, 4: usable, ACPI reclaimable, ACPI NVS).
        xor     ebx, ebx
        mov     [ram_lo], ebx
        mov     [ram_hi], ebx
        mov     word [e820_n], 0
.next:  push    ds
        pop     es
        mov     di, e820_buf
        mov     dword [di + 20], 1      ; ACPI 3.0 attributes: enabled, if the BIOS leaves them
        mov     eax, 0xE820
        mov     edx, 0x534D4150         ; 'SMAP'
        mov     ecx, 24
        int     0x15
        jc      .done
        cmp     eax, 0x534D4150
        jne     .done
        push    ebx
        mov     eax, [e820_buf + 16]
        cmp     eax, 1
        je      .ram
        cmp     eax, 3
        je      .ram
        cmp     eax, 4
        jne     .list
.ram:   mov     eax, [e820_buf + 8]
        add     [ram_lo], eax
        mov     eax, [e820_buf + 12]
        adc     [ram_hi], eax
.list:  inc     word [e820_n]
        cmp     word [e820_n], 8        ; the first 8 entries fit the screen
        ja      .skip
        mov     ax, [e820_n]
        add     ax, 2
        mov     [row], ax
        mov     word [col], 9
        PRINT   "E820h: "
        mov     eax, [e820_buf + 4]
        mov     cx, 8
        call    put_hex
        mov     eax, [e820_buf]
        call    put_hex
        PRINT   " + "
        mov     eax, [e820_buf + 12]
        call    put_hex
        mov     eax, [e820_buf + 8]
        call    put_hex
        PRINT   "  "
        mov     eax, [e820_buf + 16]
        call    e820_type_name
.skip:  pop     ebx
        test    ebx, ebx
        jz      .done
        cmp     word [e820_n], 32
        jb      .next
.done:  ; The RAM in MiB, rounded up (the holes the map leaves below 1 MiB are under 1 MiB).
        AT      2, 40
        PRINT   "E820h: "
        mov     eax, [ram_lo]
        mov     edx, [ram_hi]
        add     eax, 0xFFFFF
        adc     edx, 0
        shrd    eax, edx, 20
        mov     byte [attr], 0x0F
        call    put_dec
        mov     byte [attr], 0x07
        PRINT   " MiB of RAM in "
        movzx   eax, word [e820_n]
        call    put_dec
        PRINT   " entries"
        mov     ax, [e820_n]
        cmp     ax, 8
        jbe     .fits
        mov     ax, 8
.fits:  add     ax, 3
        mov     [row], ax
        ret

e820_type_name:                         ; EAX = the type (ACPI 6.4, table 15.312)
        cmp     eax, 1
        jne     .t2
        PRINT   "usable"
        ret
.t2:    cmp     eax, 2
        jne     .t3
        PRINT   "reserved"
        ret
.t3:    cmp     eax, 3
        jne     .t4
        PRINT   "ACPI data"
        ret
.t4:    cmp     eax, 4
        jne     .t5
        PRINT   "ACPI NVS"
        ret
.t5:    PRINT   "type "
        call    put_dec
        ret

show_disks:
        inc     word [row]
        mov     si, s_disks
        call    heading
        PRINT   "boot drive "
        movzx   eax, byte [drive]
        mov     cx, 2
        mov     byte [attr], 0x0F
        call    put_hex
        mov     byte [attr], 0x07
        PRINT   "h; hard disks (INT 13h 08h): "
        mov     ah, 0x08
        mov     dl, 0x80
        xor     di, di
        push    es
        int     0x13
        pop     es
        mov     al, 0
        jc      .count
        mov     al, dl
.count: mov     [hd_count], al
        movzx   eax, al
        call    put_dec
        PRINT   "; floppy drives (INT 11h): "
        int     0x11
        xor     bx, bx
        test    al, 1
        jz      .nofd
        mov     bl, al
        shr     bl, 6
        inc     bl
.nofd:  movzx   eax, bx
        call    put_dec
        mov     byte [cur_drive], 0x80
.disk:  mov     al, [cur_drive]
        sub     al, 0x80
        cmp     al, [hd_count]
        jae     .end
        cmp     al, 4
        jae     .end
        call    newline
        call    show_disk
        inc     byte [cur_drive]
        jmp     .disk
.end:   call    newline
        ret

show_disk:                              ; one line for drive cur_drive
        movzx   eax, byte [cur_drive]
        mov     cx, 2
        mov     byte [attr], 0x0F
        call    put_hex
        mov     byte [attr], 0x07
        PRINT   "h  C/H/S "
        mov     ah, 0x08
        mov     dl, [cur_drive]
        push    es
        int     0x13
        pop     es
        jc      .nochs
        ; CH = cylinder bits 7-0, CL 7-6 = bits 9-8, CL 5-0 = sectors per track, DH = last head.
        movzx   eax, cl
        shr     al, 6
        shl     ax, 8
        mov     al, ch
        inc     eax
        call    put_dec
        mov     al, '/'
        call    emit
        movzx   eax, dh
        inc     eax
        call    put_dec
        mov     al, '/'
        call    emit
        movzx   eax, cl
        and     al, 0x3F
        call    put_dec
        jmp     .edd
.nochs: PRINT   "?"
.edd:   PRINT   "  EDD "
        mov     ah, 0x41
        mov     bx, 0x55AA
        mov     dl, [cur_drive]
        int     0x13
        jc      .noedd
        cmp     bx, 0xAA55
        jne     .noedd
        ; AH = the version: 01h 1.x, 20h 2.0, 21h 1.1, 30h 3.0 (EDD 3.0, 7.1).
        movzx   eax, ah
        push    ax
        shr     al, 4
        call    put_dec
        mov     al, '.'
        call    emit
        pop     ax
        and     al, 0x0F
        call    put_dec
        ; 48h: the drive parameters (EDD 3.0, 7.5): total sectors at 10h, bytes per sector at 18h.
        mov     word [edd_buf], 0x1A
        mov     si, edd_buf
        mov     ah, 0x48
        mov     dl, [cur_drive]
        int     0x13
        jc      .end
        PRINT   "  "
        mov     eax, [edd_buf + 0x10]
        mov     byte [attr], 0x0F
        call    put_dec
        mov     byte [attr], 0x07
        PRINT   " sectors of "
        movzx   eax, word [edd_buf + 0x18]
        call    put_dec
        PRINT   " bytes = "
        mov     eax, [edd_buf + 0x10]
        movzx   ebx, word [edd_buf + 0x18]
        mul     ebx                     ; EDX:EAX bytes
        shrd    eax, edx, 10
        shr     edx, 10
        test    edx, edx
        jnz     .mib
        cmp     eax, 10240
        jae     .mib
        mov     byte [attr], 0x0F
        call    put_dec
        mov     byte [attr], 0x07
        PRINT   " KiB"
        ret
.mib:   shrd    eax, edx, 10
        mov     byte [attr], 0x0F
        call    put_dec
        mov     byte [attr], 0x07
        PRINT   " MiB"
        ret
.noedd: PRINT   "none"
.end:   ret

show_cpu:
        inc     word [row]
        mov     si, s_cpu
        call    heading
        ; CPUID exists when EFLAGS.ID (bit 21) can be changed (SDM vol. 1, 20.1.1).
        pushfd
        pop     eax
        mov     ebx, eax
        xor     eax, 1 << 21
        push    eax
        popfd
        pushfd
        pop     eax
        push    ebx
        popfd
        xor     eax, ebx
        test    eax, 1 << 21
        jnz     .cpuid
        PRINT   "no CPUID instruction (a 386 or 486)"
        ret
.cpuid: xor     eax, eax
        cpuid
        mov     [vendor], ebx
        mov     [vendor + 4], edx
        mov     [vendor + 8], ecx
        mov     byte [vendor + 12], 0
        mov     [max_leaf], eax
        mov     si, vendor
        mov     byte [attr], 0x0F
        call    puts
        mov     byte [attr], 0x07
        cmp     dword [max_leaf], 1
        jb      .brand
        mov     eax, 1
        cpuid
        mov     [features_edx], edx
        mov     [features_ecx], ecx
        ; Family = base + extended when the base is Fh; model gets the extended model for
        ; families 6 and Fh (SDM vol. 2A, CPUID, figure 3-6).
        mov     ebx, eax
        shr     eax, 8
        and     eax, 0x0F
        cmp     al, 0x0F
        jne     .fam
        mov     ecx, ebx
        shr     ecx, 20
        and     ecx, 0xFF
        add     eax, ecx
.fam:   mov     [family], eax
        PRINT   "  family "
        call    put_dec
        mov     eax, ebx
        shr     eax, 4
        and     eax, 0x0F
        cmp     dword [family], 6
        je      .ext
        cmp     dword [family], 0x0F
        jb      .mod
.ext:   mov     ecx, ebx
        shr     ecx, 12
        and     ecx, 0xF0
        add     eax, ecx
.mod:   PRINT   "  model "
        call    put_dec
        PRINT   "  stepping "
        mov     eax, ebx
        and     eax, 0x0F
        call    put_dec
.brand: mov     eax, 0x80000000
        cpuid
        cmp     eax, 0x80000004
        jb      .flags
        call    newline
        mov     di, brand
        mov     esi, 0x80000002
.bl:    mov     eax, esi
        cpuid
        mov     [di], eax
        mov     [di + 4], ebx
        mov     [di + 8], ecx
        mov     [di + 12], edx
        add     di, 16
        inc     esi
        cmp     esi, 0x80000004
        jbe     .bl
        mov     byte [di], 0
        mov     si, brand
.sp:    cmp     byte [si], ' '
        jne     .bs
        inc     si
        jmp     .sp
.bs:    call    puts
.flags: cmp     dword [max_leaf], 1
        jb      .done
        call    newline
        mov     edx, [features_edx]
        mov     si, edx_names
        call    put_flags
        mov     edx, [features_ecx]
        mov     si, ecx_names
        call    put_flags
.done:  ret

; put_flags: the names (SI: 32 zero-terminated names, bit 0 first; empty for unnamed bits) of
; the bits set in EDX, wrapped before column 79.
put_flags:
        mov     cx, 32
.bit:   shr     edx, 1
        jnc     .skip
        cmp     byte [si], 0
        je      .skip
        push    si                      ; wrap if the name does not fit
        xor     ax, ax
.len:   cmp     byte [si], 0
        je      .lend
        inc     si
        inc     ax
        jmp     .len
.lend:  pop     si
        add     ax, [col]
        cmp     ax, 79
        jb      .fit
        call    newline
.fit:   call    puts                    ; leaves SI past the name
        mov     al, ' '
        call    emit
        jmp     .next
.skip:  lodsb                           ; past this name
        test    al, al
        jnz     .skip
.next:  loop    .bit
        ret

; Feature names as Linux's /proc/cpuinfo has them (SDM vol. 2A, CPUID, tables 3-10 and 3-11).
edx_names:
        db      "fpu",0,"vme",0,"de",0,"pse",0,"tsc",0,"msr",0,"pae",0,"mce",0
        db      "cx8",0,"apic",0,0,"sep",0,"mtrr",0,"pge",0,"mca",0,"cmov",0
        db      "pat",0,"pse36",0,"pn",0,"clflush",0,0,"dts",0,"acpi",0,"mmx",0
        db      "fxsr",0,"sse",0,"sse2",0,"ss",0,"ht",0,"tm",0,0,"pbe",0
ecx_names:
        db      "sse3",0,"pclmulqdq",0,"dtes64",0,"monitor",0,"ds_cpl",0,"vmx",0,"smx",0,"est",0
        db      "tm2",0,"ssse3",0,"cid",0,"sdbg",0,"fma",0,"cx16",0,"xtpr",0,"pdcm",0
        db      0,"pcid",0,"dca",0,"sse4_1",0,"sse4_2",0,"x2apic",0,"movbe",0,"popcnt",0
        db      "tsc_deadline_timer",0,"aes",0,"xsave",0,"osxsave",0,"avx",0,"f16c",0,"rdrand",0,"hypervisor",0

s_memory:       db      "Memory", 0
s_disks:        db      "Disks", 0
s_cpu:          db      "CPU", 0

; ------------------------------------------------------------------------ the wait
; Waits for a key (INT 16h) or SHOW_TICKS BIOS timer ticks, counting the seconds down in the
; bottom line.
wait_key_or_time:
        push    es
        mov     ax, 0x40
        mov     es, ax
        mov     eax, [es:0x6C]
        mov     [start_tick], eax
.loop:  mov     eax, [es:0x6C]
        sub     eax, [start_tick]
        cmp     eax, SHOW_TICKS
        jae     .done
        ; seconds left = (SHOW_TICKS - elapsed) * 10 / 182, rounded up
        mov     ebx, SHOW_TICKS
        sub     ebx, eax
        imul    eax, ebx, 10
        add     eax, 181
        xor     edx, edx
        mov     ebx, 182
        div     ebx
        mov     byte [attr], 0x70
        mov     word [row], 24
        mov     bx, [count_col]
        mov     [col], bx
        call    put_dec
        PRINT   ' s '
        mov     ah, 0x01
        int     0x16
        jnz     .key
        hlt                             ; until the next interrupt (the timer at least)
        jmp     .loop
.key:   xor     ah, ah
        int     0x16
.done:  pop     es
        ret

; ======================================================================== graphics
graphics:
        ; Find an 800x600, 32 bpp direct-colour mode with a linear framebuffer in the list
        ; 4F00h gives (VBE 3.0, 4.3 and 4.4).
        push    ds
        pop     es
        mov     di, vbe_info
        mov     dword [di], 'VBE2'
        mov     ax, 0x4F00
        int     0x10
        cmp     ax, 0x004F
        jne     .novbe
        cmp     dword [vbe_info], 'VESA'
        jne     .novbe
        mov     eax, [vbe_info + 0x0E]  ; the mode list's far pointer
        mov     [mode_list], eax
.mode:  lfs     si, [mode_list]
        mov     cx, [fs:si]
        cmp     cx, 0xFFFF
        je      .novbe
        add     word [mode_list], 2
        push    ds
        pop     es
        mov     di, mode_info
        mov     ax, 0x4F01
        int     0x10
        cmp     ax, 0x004F
        jne     .mode
        mov     ax, [mode_info]         ; attributes: supported, graphics, linear framebuffer
        and     ax, 0x0091
        cmp     ax, 0x0091
        jne     .mode
        cmp     word [mode_info + 0x12], SCR_W
        jne     .mode
        cmp     word [mode_info + 0x14], SCR_H
        jne     .mode
        cmp     byte [mode_info + 0x19], 32
        jne     .mode
        cmp     byte [mode_info + 0x1B], 6      ; direct colour
        jne     .mode
        mov     [vbe_mode], cx
        mov     eax, [mode_info + 0x28]
        mov     [lfb], eax
        movzx   eax, word [mode_info + 0x10]
        mov     [pitch], eax
        ; The ROM's 8x16 font, for text in graphics (INT 10h 1130h BH=6 returns ES:BP).
        push    bp
        mov     ax, 0x1130
        mov     bh, 6
        int     0x10
        mov     ax, es
        movzx   eax, ax
        shl     eax, 4
        movzx   ebp, bp
        add     eax, ebp
        pop     bp
        mov     [font], eax
        mov     bx, [vbe_mode]
        or      bx, 0x4000              ; linear framebuffer
        mov     ax, 0x4F02
        int     0x10
        cmp     ax, 0x004F
        jne     .novbe
        jmp     run_graphics
.novbe: mov     byte [attr], 0x4F
        AT      24, 0
        PRINT   "No VBE 800x600x32 mode with a linear framebuffer: staying in text mode.     "
        ret

run_graphics:
        ; Addresses above 1 MiB need A20 (PS/2 system control port A, bit 1).
        in      al, 0x92
        or      al, 2
        and     al, 0xFE
        out     0x92, al
        mov     word [emit_fn], gfx_emit
        mov     word [mx], SCR_W / 2
        mov     word [my], SCR_H / 2
        mov     word [sq_x], 100
        mov     word [sq_y], 100
        mov     word [sq_dx], 5
        mov     word [sq_dy], 3
        cli
        call    unreal
        call    draw_background
        call    draw_title
        call    draw_echo_box
        call    draw_square
        call    draw_status
        call    save_under
        call    draw_pointer
        sti
        call    mouse_init
        push    es
        mov     ax, 0x40
        mov     es, ax
        mov     eax, [es:0x6C]
        pop     es
        mov     [last_tick], eax
.loop:  hlt
        mov     ah, 0x01
        int     0x16
        jz      .nokey
        xor     ah, ah
        int     0x16
        cli
        call    unreal
        call    restore_under
        call    echo_key
        inc     dword [keys]
        call    draw_status
        call    save_under
        call    draw_pointer
        sti
.nokey: push    es
        mov     ax, 0x40
        mov     es, ax
        mov     eax, [es:0x6C]
        pop     es
        cmp     eax, [last_tick]
        je      .notick
        mov     [last_tick], eax
        inc     dword [ticks]
        cli
        call    unreal
        call    restore_under
        call    move_square
        call    draw_status
        call    save_under
        call    draw_pointer
        sti
.notick:
        cli
        cmp     byte [mouse_moved], 0
        je      .nomouse
        mov     byte [mouse_moved], 0
        call    unreal
        call    restore_under
        mov     ax, [new_mx]
        mov     [mx], ax
        mov     ax, [new_my]
        mov     [my], ax
        call    draw_status
        call    save_under
        call    draw_pointer
.nomouse:
        sti
        jmp     .loop

; unreal: FS = a flat 4 GiB data segment at base 0, in real mode. Interrupts must be off.
unreal:
        push    eax
        push    bx
        mov     eax, PROG_SEG << 4
        add     eax, gdt
        mov     [gdt_ptr + 2], eax
        lgdt    [gdt_ptr]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     $ + 2
        mov     bx, 8
        mov     fs, bx
        and     al, 0xFE
        mov     cr0, eax
        jmp     $ + 2
        xor     bx, bx
        mov     fs, bx
        pop     bx
        pop     eax
        ret

; pixel_addr: EDI = the framebuffer address of (AX = x, BX = y).
pixel_addr:
        push    eax
        push    edx
        movzx   edi, bx
        imul    edi, [pitch]
        movzx   eax, ax
        lea     edi, [edi + eax * 4]
        add     edi, [lfb]
        pop     edx
        pop     eax
        ret

; fill: a rectangle (AX x, BX y, CX width, DX height) of colour ESI.
fill:
        pushad
.row:   push    ax
        call    pixel_addr
        push    cx
.px:    mov     [fs:edi], esi
        add     edi, 4
        dec     cx
        jnz     .px
        pop     cx
        pop     ax
        inc     bx
        dec     dx
        jnz     .row
        popad
        ret

; bg_fill: the background rule over a rectangle (AX x, BX y, CX width, DX height).
bg_fill:
        pushad
.row:   push    ax
        push    cx
        push    dx
        call    pixel_addr
        ; G = y / 3 for the whole row
        push    ax
        mov     ax, bx
        xor     dx, dx
        mov     si, 3
        div     si
        movzx   esi, ax
        shl     esi, 8
        or      esi, 0x50
        pop     ax
.px:    movzx   edx, ax
        shr     edx, 2
        shl     edx, 16
        or      edx, esi
        mov     [fs:edi], edx
        add     edi, 4
        inc     ax
        dec     cx
        jnz     .px
        pop     dx
        pop     cx
        pop     ax
        inc     bx
        dec     dx
        jnz     .row
        popad
        ret

draw_background:
        xor     ax, ax
        xor     bx, bx
        mov     cx, SCR_W
        mov     dx, SCR_H
        jmp     bg_fill

; gfx_emit: the character AL at (gx, gy) in fg_colour on bg_colour, then gx += 8.
gfx_emit:
        pushad
        movzx   esi, al
        shl     esi, 4
        add     esi, [font]
        mov     ax, [gx]
        mov     bx, [gy]
        mov     dx, 16
.row:   call    pixel_addr
        mov     cl, [fs:esi]
        inc     esi
        mov     ch, 8
.px:    mov     eax, [bg_colour]
        shl     cl, 1
        jnc     .put
        mov     eax, [fg_colour]
.put:   mov     [fs:edi], eax
        add     edi, 4
        dec     ch
        jnz     .px
        mov     ax, [gx]
        inc     bx
        dec     dx
        jnz     .row
        add     word [gx], 8
        popad
        ret

%macro GAT 2
        mov     word [gx], %1
        mov     word [gy], %2
%endmacro

draw_title:
        xor     ax, ax
        xor     bx, bx
        mov     cx, SCR_W
        mov     dx, 32
        mov     esi, TITLE_BG
        call    fill
        mov     dword [fg_colour], 0xFFFFFF
        mov     dword [bg_colour], TITLE_BG
        GAT     8, 8
        PRINT   "emu demo - VBE mode "
        movzx   eax, word [vbe_mode]
        mov     cx, 3
        call    put_hex
        PRINT   "h 800x600x32, framebuffer at "
        mov     eax, [lfb]
        mov     cx, 8
        call    put_hex
        PRINT   "h - type, move the mouse"
        ret

draw_echo_box:
        mov     ax, ECHO_X
        mov     bx, ECHO_Y
        mov     cx, ECHO_W
        mov     dx, ECHO_H
        xor     esi, esi
        call    fill
        mov     word [echo_col], 0
        mov     word [echo_row], 0
        ret

; echo_key: AL = the ASCII INT 16h returned: printable characters are drawn and advance, Enter
; starts a line, Backspace goes back one; the box starts again when it is full.
echo_key:
        mov     dword [fg_colour], ECHO_FG
        mov     dword [bg_colour], 0
        cmp     al, 0x0D
        je      .enter
        cmp     al, 0x08
        je      .back
        cmp     al, 0x20
        jb      .r
        cmp     al, 0x7E
        ja      .r
        call    echo_at
        call    emit
        inc     word [echo_col]
        cmp     word [echo_col], ECHO_COLS
        jb      .r
.enter: mov     word [echo_col], 0
        inc     word [echo_row]
        cmp     word [echo_row], ECHO_ROWS
        jb      .r
        call    draw_echo_box
.r:     ret
.back:  cmp     word [echo_col], 0
        je      .r
        dec     word [echo_col]
        call    echo_at
        mov     al, ' '
        jmp     emit

echo_at:                                ; (gx, gy) = the echo cursor's cell
        push    ax
        mov     ax, [echo_col]
        shl     ax, 3
        add     ax, ECHO_X + 8
        mov     [gx], ax
        mov     ax, [echo_row]
        shl     ax, 4
        add     ax, ECHO_Y + 4
        mov     [gy], ax
        pop     ax
        ret

draw_square:
        mov     ax, [sq_x]
        mov     bx, [sq_y]
        mov     cx, SQ_SIZE
        mov     dx, SQ_SIZE
        mov     esi, SQ_COLOUR
        jmp     fill

; move_square: erase, move by (sq_dx, sq_dy) bouncing off the area's edges, draw.
move_square:
        mov     ax, [sq_x]
        mov     bx, [sq_y]
        mov     cx, SQ_SIZE
        mov     dx, SQ_SIZE
        call    bg_fill
        mov     ax, [sq_x]
        add     ax, [sq_dx]
        cmp     ax, 0
        jl      .bx
        cmp     ax, SCR_W - SQ_SIZE
        jle     .okx
.bx:    neg     word [sq_dx]
        mov     ax, [sq_x]
        add     ax, [sq_dx]
.okx:   mov     [sq_x], ax
        mov     ax, [sq_y]
        add     ax, [sq_dy]
        cmp     ax, SQ_TOP
        jl      .by
        cmp     ax, SQ_BOTTOM - SQ_SIZE
        jle     .oky
.by:    neg     word [sq_dy]
        mov     ax, [sq_y]
        add     ax, [sq_dy]
.oky:   mov     [sq_y], ax
        jmp     draw_square

draw_status:
        mov     dword [fg_colour], 0xFFFFFF
        mov     dword [bg_colour], 0
        GAT     8, 440
        PRINT   "mouse "
        movzx   eax, word [mx]
        call    put_dec3
        PRINT   ","
        movzx   eax, word [my]
        call    put_dec3
        PRINT   "  buttons "
        mov     bl, [buttons]
        mov     al, '-'
        test    bl, 1
        jz      .l
        mov     al, 'L'
.l:     call    emit
        mov     al, '-'
        test    bl, 4
        jz      .m
        mov     al, 'M'
.m:     call    emit
        mov     al, '-'
        test    bl, 2
        jz      .rb
        mov     al, 'R'
.rb:    call    emit
        PRINT   "  keys "
        mov     eax, [keys]
        call    put_dec
        PRINT   "  ticks "
        mov     eax, [ticks]
        call    put_dec
        ret

put_dec3:                               ; EAX < 1000, right-aligned in 3 cells
        cmp     eax, 100
        jae     put_dec
        push    eax
        mov     al, ' '
        call    emit
        pop     eax
        cmp     eax, 10
        jae     put_dec
        push    eax
        mov     al, ' '
        call    emit
        pop     eax
        jmp     put_dec

; The pointer: 12x17, 'X' black, 'o' white, '.' transparent; the hot spot is its top left.
pointer_rows:
        db      "X..........."
        db      "XX.........."
        db      "XoX........."
        db      "XooX........"
        db      "XoooX......."
        db      "XooooX......"
        db      "XoooooX....."
        db      "XooooooX...."
        db      "XoooooooX..."
        db      "XooooooooX.."
        db      "XoooooXXXXX."
        db      "XooXooX....."
        db      "XoX.XooX...."
        db      "XX..XooX...."
        db      "X....XooX..."
        db      ".....XooX..."
        db      "......XX...."

; pointer_walk: calls BP for each on-screen cell of the pointer's box with EDI = its address
; and SI = its index in pointer_rows (and in under_buf, times 4).
pointer_walk:
        pushad
        xor     si, si
        xor     dx, dx                  ; row
.row:   xor     cx, cx                  ; column
.col:   mov     ax, [mx]
        add     ax, cx
        cmp     ax, SCR_W
        jae     .next
        mov     bx, [my]
        add     bx, dx
        cmp     bx, SCR_H
        jae     .next
        call    pixel_addr
        call    bp
.next:  inc     si
        inc     cx
        cmp     cx, PTR_W
        jb      .col
        inc     dx
        cmp     dx, PTR_H
        jb      .row
        popad
        ret

save_under:
        mov     bp, .one
        jmp     pointer_walk
.one:   mov     eax, [fs:edi]
        push    si
        shl     si, 2
        mov     [under_buf + si], eax
        pop     si
        ret

restore_under:
        mov     bp, .one
        jmp     pointer_walk
.one:   push    si
        shl     si, 2
        mov     eax, [under_buf + si]
        pop     si
        mov     [fs:edi], eax
        ret

draw_pointer:
        mov     bp, .one
        jmp     pointer_walk
.one:   mov     al, [pointer_rows + si]
        cmp     al, '.'
        je      .r
        xor     eax, eax
        cmp     byte [pointer_rows + si], 'X'
        je      .put
        mov     eax, 0xFFFFFF
.put:   mov     [fs:edi], eax
.r:     ret

; ------------------------------------------------------------------------ the PS/2 mouse
; Programs the mouse through the 8042 (IBM PS/2 Technical Reference, keyboard/auxiliary
; device controller): the IRQ12 vector (74h: the second 8259 at 70h) is ours, the controller's
; command byte enables the auxiliary port and its interrupt, the mouse gets "set defaults" and
; "enable data reporting" (F6h, F4h; each answered FAh), and IRQ12 is unmasked.
mouse_init:
        cli
        push    es
        xor     ax, ax
        mov     es, ax
        mov     word [es:0x74 * 4], irq12
        mov     word [es:0x74 * 4 + 2], PROG_SEG
        pop     es
        mov     al, 0xA8                ; enable the auxiliary interface
        call    kbc_cmd
        mov     al, 0x20                ; read the command byte
        call    kbc_cmd
        call    kbc_read
        or      al, 0x02                ; bit 1: IRQ12 on auxiliary data
        and     al, 0xDF                ; bit 5: auxiliary clock enabled
        mov     [ccb], al
        mov     al, 0x60
        call    kbc_cmd
        mov     al, [ccb]
        call    kbc_data
        mov     al, 0xF6
        call    mouse_cmd
        mov     al, 0xF4
        call    mouse_cmd
        mov     byte [packet_n], 0
        in      al, 0xA1
        and     al, 0xEF                ; IRQ12
        out     0xA1, al
        in      al, 0x21
        and     al, 0xFB                ; IRQ2, the cascade
        out     0x21, al
        sti
        ret

kbc_wait_write:                         ; until the input buffer is empty (status bit 1)
        push    cx
        push    ax
        mov     cx, 0xFFFF
.w:     in      al, 0x64
        test    al, 2
        jz      .r
        loop    .w
.r:     pop     ax
        pop     cx
        ret

kbc_cmd:
        call    kbc_wait_write
        out     0x64, al
        ret

kbc_data:
        call    kbc_wait_write
        out     0x60, al
        ret

kbc_read:                               ; AL = the next output byte (status bit 0), or 0 on time-out
        push    cx
        mov     cx, 0xFFFF
.w:     in      al, 0x64
        test    al, 1
        jnz     .r
        loop    .w
        xor     al, al
        pop     cx
        ret
.r:     in      al, 0x60
        pop     cx
        ret

mouse_cmd:                              ; D4h: the next data byte goes to the mouse; then its FAh
        push    ax
        mov     al, 0xD4
        call    kbc_cmd
        pop     ax
        call    kbc_data
        jmp     kbc_read

; IRQ12: one byte of a 3-byte packet (byte 0: buttons in bits 0-2, bit 3 always 1, X/Y sign in
; bits 4/5, overflow in 6/7; then X and Y movement, Y positive upwards).
irq12:
        push    ax
        push    bx
        push    ds
        mov     ax, PROG_SEG
        mov     ds, ax
        in      al, 0x64
        and     al, 0x21                ; output buffer full, from the auxiliary device
        cmp     al, 0x21
        jne     .eoi
        in      al, 0x60
        movzx   bx, byte [packet_n]
        test    bx, bx
        jnz     .store
        test    al, 0x08                ; byte 0 has bit 3 set: otherwise resynchronise
        jz      .eoi
.store: mov     [packet + bx], al
        inc     bx
        mov     [packet_n], bl
        cmp     bx, 3
        jb      .eoi
        mov     byte [packet_n], 0
        mov     al, [packet]
        test    al, 0xC0                ; overflow: drop the packet
        jnz     .eoi
        and     al, 7
        mov     [buttons], al
        movzx   ax, byte [packet + 1]
        test    byte [packet], 0x10
        jz      .xp
        or      ax, 0xFF00
.xp:    add     ax, [new_mx]
        call    clamp_x
        mov     [new_mx], ax
        movzx   bx, byte [packet + 2]
        test    byte [packet], 0x20
        jz      .yp
        or      bx, 0xFF00
.yp:    mov     ax, [new_my]
        sub     ax, bx
        call    clamp_y
        mov     [new_my], ax
        mov     byte [mouse_moved], 1
.eoi:   mov     al, 0x20
        out     0xA0, al
        out     0x20, al
        pop     ds
        pop     bx
        pop     ax
        iret

clamp_x:
        cmp     ax, 0
        jge     .lo
        xor     ax, ax
.lo:    cmp     ax, SCR_W - 1
        jle     .r
        mov     ax, SCR_W - 1
.r:     ret

clamp_y:
        cmp     ax, 0
        jge     .lo
        xor     ax, ax
.lo:    cmp     ax, SCR_H - 1
        jle     .r
        mov     ax, SCR_H - 1
.r:     ret

; ------------------------------------------------------------------------ data
gdt:            dq      0
                dq      0x00CF92000000FFFF      ; flat data: base 0, limit 4 GiB, writable
gdt_ptr:        dw      15
                dd      0

new_mx:         dw      SCR_W / 2
new_my:         dw      SCR_H / 2

prog_code_end:
        times   (512 - (prog_code_end - prog) % 512) % 512 db 0
prog_end:

; Uninitialised: after the image, in the program's segment.
        absolute prog_end
emit_fn:        resw    1
count_col:      resw    1
mode_list:      resd    1
row:            resw    1
col:            resw    1
attr:           resb    1
drive:          resb    1
hd_count:       resb    1
cur_drive:      resb    1
e820_n:         resw    1
ram_lo:         resd    1
ram_hi:         resd    1
max_leaf:       resd    1
family:         resd    1
features_edx:   resd    1
features_ecx:   resd    1
start_tick:     resd    1
last_tick:      resd    1
ticks:          resd    1
keys:           resd    1
vbe_mode:       resw    1
lfb:            resd    1
pitch:          resd    1
font:           resd    1
fg_colour:      resd    1
bg_colour:      resd    1
gx:             resw    1
gy:             resw    1
mx:             resw    1
my:             resw    1
sq_x:           resw    1
sq_y:           resw    1
sq_dx:          resw    1
sq_dy:          resw    1
echo_col:       resw    1
echo_row:       resw    1
ccb:            resb    1
buttons:        resb    1
packet_n:       resb    1
mouse_moved:    resb    1
packet:         resb    4
vendor:         resb    16
brand:          resb    52
e820_buf:       resb    24
edd_buf:        resb    32
vbe_info:       resb    512
mode_info:      resb    256
under_buf:      resd    PTR_W * PTR_H

PROG_SECTORS    equ     (prog_end - prog + 511) / 512
