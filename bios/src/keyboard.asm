; The keyboard: INT 09h turns the 8042's translated scan codes (set 1) into the BDA's shift
; states and key buffer; INT 16h reads them (IBM PC/AT and PS/2 Technical References;
; Ralf Brown's INT 16h).
;
; BDA: 40:17 shift flags (0 RShift, 1 LShift, 2 Ctrl, 3 Alt, 4 Scroll, 5 Num, 6 Caps,
; 7 Insert active), 40:18 (0 LCtrl, 1 LAlt, 2 SysReq, 3 pause, 4-7 Scroll/Num/Caps/Insert
; held), 40:96 (0 last byte E1h, 1 last byte E0h, 2 RCtrl, 3 RAlt, 4 101-key keyboard),
; 40:1A head, 40:1C tail, 40:80/40:82 buffer start/end.

int09_handler:
        push    ds
        push    ax
        push    bx
        push    cx
        push    si
        push    di
        mov     ax, BDA_SEG
        mov     ds, ax
        in      al, 0x60
        mov     ah, 0x4F                ; keyboard intercept: CF clear drops the code
        stc
        int     0x15
        jnc     .eoi
        cmp     al, 0xE0
        jne     .not_e0
        or      byte [0x96], 0x02
        jmp     .eoi
.not_e0:
        cmp     al, 0xE1
        jne     .not_e1
        or      byte [0x96], 0x01
        jmp     .eoi
.not_e1:
        mov     ah, [0x96]
        and     byte [0x96], 0xFC
        test    ah, 0x01
        jz      .plain
        ; Pause: E1 1D 45 / E1 9D C5. The byte after E1 keeps the E1 state, the one after drops.
        mov     bl, al
        and     bl, 0x7F
        cmp     bl, 0x1D
        jne     .eoi
        or      byte [0x96], 0x01
        jmp     .eoi
.plain: mov     bl, al
        and     bl, 0x7F                ; BL = make code, AL bit 7 = break, AH bit 1 = E0
        cmp     bl, 0x2A
        je      .lshift
        cmp     bl, 0x36
        je      .rshift
        cmp     bl, 0x1D
        je      .ctrl
        cmp     bl, 0x38
        je      .alt
        cmp     bl, 0x3A
        je      .caps
        cmp     bl, 0x45
        je      .num
        cmp     bl, 0x46
        je      .scroll
        test    al, 0x80
        jnz     .insert_break
        jmp     .make

.lshift:
        test    ah, 0x02                ; E0 2A: the keyboard's fake shift, ignored
        jnz     .eoi
        mov     cl, 0x02
        jmp     .shiftbit
.rshift:
        test    ah, 0x02
        jnz     .eoi
        mov     cl, 0x01
.shiftbit:
        test    al, 0x80
        jnz     .shiftup
        or      [0x17], cl
        jmp     .eoi
.shiftup:
        not     cl
        and     [0x17], cl
        jmp     .eoi

.ctrl:  mov     cl, 0x04                ; 96h bit 2 (right), 18h bit 0 (left)
        mov     ch, 0x01
        jmp     .ctrlalt
.alt:   mov     cl, 0x08
        mov     ch, 0x02
.ctrlalt:
        mov     si, 0x18
        test    ah, 0x02
        jz      .side
        mov     si, 0x96
        mov     ch, cl
.side:  test    al, 0x80
        jnz     .ca_up
        or      [si], ch
        or      [0x17], cl
        jmp     .eoi
.ca_up: not     ch
        and     [si], ch
        ; the combined bit in 40:17 stays while the other side's key is held
        mov     ch, [0x18]
        shl     ch, 2
        or      ch, [0x96]
        and     ch, cl
        jnz     .eoi
        not     cl
        and     [0x17], cl
        jmp     .eoi

.caps:  mov     cl, 0x40
        jmp     .toggle
.num:   mov     cl, 0x20
        jmp     .toggle
.scroll:
        test    ah, 0x02                ; E0 46: Ctrl+Break
        jnz     .eoi
        mov     cl, 0x10
.toggle:
        test    al, 0x80
        jnz     .tog_up
        test    [0x18], cl
        jnz     .eoi                    ; typematic repeat of a held lock key
        or      [0x18], cl
        xor     [0x17], cl
        jmp     .eoi
.tog_up:
        not     cl
        and     [0x18], cl
        jmp     .eoi

.insert_break:
        cmp     bl, 0x52
        jne     .eoi
        and     byte [0x18], 0x7F
        jmp     .eoi

.make:  ; Ctrl+Alt+Del: warm reboot (40:72 = 1234h skips the memory test), through the 8042's
        ; reset line.
        cmp     bl, 0x53
        jne     .lookup
        mov     cl, [0x17]
        and     cl, 0x0C
        cmp     cl, 0x0C
        jne     .lookup
        mov     word [0x72], 0x1234
        mov     al, 0xFE
        out     0x64, al
        jmp     0xF000:0xFFF0
.lookup:
        cmp     bl, KBD_TABLE_LAST
        ja      .eoi
        cmp     bl, 0x52
        jne     .noins
        test    byte [0x18], 0x80
        jnz     .noins
        or      byte [0x18], 0x80
        xor     byte [0x17], 0x80
.noins: test    ah, 0x02
        jnz     .extended
        ; column: 3 Alt, 2 Ctrl, 1 Shift, 0 none
        mov     cl, [0x17]
        xor     si, si
        test    cl, 0x08
        jnz     .alt_col
        test    cl, 0x04
        jnz     .ctrl_col
        test    cl, 0x03
        jz      .keypad
        mov     si, 2
.keypad:
        ; keypad 47h-53h except 4Ah, 4Eh: digits when NumLock xor Shift
        cmp     bl, 0x47
        jb      .caps_letter
        cmp     bl, 0x53
        ja      .caps_letter
        cmp     bl, 0x4A
        je      .caps_letter
        cmp     bl, 0x4E
        je      .caps_letter
        mov     ch, cl
        shr     ch, 5
        and     ch, 1
        test    cl, 0x03
        jz      .nshift
        xor     ch, 1
.nshift:
        test    ch, ch
        jz      .table
        movzx   di, bl
        mov     al, [cs:kbd_keypad + di - 0x47]
        mov     ah, bl
        jmp     .enqueue
.caps_letter:
        test    cl, 0x40
        jz      .table
        movzx   di, bl
        shl     di, 3
        mov     al, [cs:kbd_table + di]
        cmp     al, 'a'
        jb      .table
        cmp     al, 'z'
        ja      .table
        xor     si, 2                   ; Caps Lock inverts Shift for letters
        jmp     .table
.alt_col:
        mov     si, 6
        jmp     .table
.ctrl_col:
        mov     si, 4
.table: movzx   bx, bl
        shl     bx, 3
        mov     ax, [cs:kbd_table + bx + si]
        test    ax, ax
        jz      .eoi
        jmp     .enqueue
.extended:
        ; E0 keys: keypad Enter and /, and the grey navigation keys (ASCII E0h).
        mov     ax, 0xE00D
        cmp     bl, 0x1C
        je      .enqueue
        mov     ax, 0xE02F
        cmp     bl, 0x35
        je      .enqueue
        cmp     bl, 0x47
        jb      .eoi
        cmp     bl, 0x53
        ja      .eoi
        movzx   di, bl
        shl     di, 3
        mov     ax, [cs:kbd_table + di]
        test    byte [0x17], 0x04
        jz      .e0
        mov     ax, [cs:kbd_table + di + 4]
.e0:    test    ax, ax
        jz      .eoi
        mov     al, 0xE0
.enqueue:
        call    kbd_enqueue
.eoi:   cli
        mov     al, 0x20
        out     0x20, al
        pop     di
        pop     si
        pop     cx
        pop     bx
        pop     ax
        pop     ds
        iret

; kbd_enqueue: AX into the BDA key buffer (DS = 40h); CF set when it is full.
kbd_enqueue:
        push    si
        push    di
        cli
        mov     si, [0x1C]
        lea     di, [si + 2]
        cmp     di, [0x82]
        jb      .wrap
        mov     di, [0x80]
.wrap:  cmp     di, [0x1A]
        je      .full
        mov     [si], ax
        mov     [0x1C], di
        clc
        jmp     .done
.full:  stc
.done:  pop     di
        pop     si
        ret

; INT 16h: 00h/10h read a key (waiting), 01h/11h check for a key (ZF set: none), 02h/12h
; shift flags, 05h store a key. The non-extended functions hide the 101-key keyboard's
; additions: E0h becomes 00h, and keys with scan codes above 84h are removed.
int16_handler:
        sti
        push    ds
        push    bx
        push    dx
        mov     bx, BDA_SEG
        mov     ds, bx
        mov     dl, ah
        and     ah, 0xEF
        cmp     ah, 0x00
        je      .read
        cmp     ah, 0x01
        je      .peek
        cmp     ah, 0x02
        je      .flags
        cmp     dl, 0x05
        je      .store
        jmp     .ret
.read:  cli
        mov     bx, [0x1A]
        cmp     bx, [0x1C]
        jne     .have
        sti
        hlt
        jmp     .read
.have:  mov     ax, [bx]
        call    kbd_advance
        sti
        call    kbd_filter
        jc      .read
        jmp     .ret
.peek:  cli
        mov     bx, [0x1A]
        cmp     bx, [0x1C]
        je      .empty
        mov     ax, [bx]
        call    kbd_filter
        jnc     .avail
        call    kbd_advance
        jmp     .peek
.avail: sti
        pop     dx
        pop     bx
        pop     ds
        push    bp
        mov     bp, sp
        and     word [bp + 6], 0xFFBF   ; clear ZF in the caller's flags
        pop     bp
        iret
.empty: sti
        pop     dx
        pop     bx
        pop     ds
        push    bp
        mov     bp, sp
        or      word [bp + 6], 0x0040   ; set ZF in the caller's flags
        pop     bp
        iret
.flags: mov     al, [0x17]
        test    dl, 0x10
        jz      .ret
        mov     ah, [0x18]
        and     ah, 0x73
        mov     bl, [0x18]
        and     bl, 0x04                ; SysReq held -> bit 7
        shl     bl, 5
        or      ah, bl
        mov     bl, [0x96]
        and     bl, 0x0C                ; right Ctrl, right Alt
        or      ah, bl
        jmp     .ret
.store: mov     ax, cx
        call    kbd_enqueue
        sti
        mov     al, 0
        adc     al, 0
.ret:   pop     dx
        pop     bx
        pop     ds
        iret

; kbd_advance: moves the head (BX) one word on, wrapping at the buffer end (DS = 40h).
kbd_advance:
        add     bx, 2
        cmp     bx, [0x82]
        jb      .ok
        mov     bx, [0x80]
.ok:    mov     [0x1A], bx
        ret

; kbd_filter: DL = the function; for 00h/01h translates AX, or sets CF if the key is to be
; dropped.
kbd_filter:
        test    dl, 0x10
        jnz     .keep
        cmp     al, 0xE0
        jne     .scan
        test    ah, ah
        jz      .keep
        xor     al, al
        jmp     .keep
.scan:  test    al, al
        jnz     .keep
        cmp     ah, 0x84
        jbe     .keep
        stc
        ret
.keep:  clc
        ret
