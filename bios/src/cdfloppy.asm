; El Torito floppy emulation (El Torito 1.0, "Bootable CD-ROM Format Specification", 1995):
; a boot catalog default entry of media type 1 (1.2M), 2 (1.44M) or 3 (2.88M) makes the
; diskette image at its load RBA drive 00h. cd_boot (cdrom.asm) hands such an entry to
; cdfd_boot, which loads the entry's sector count of 512-byte virtual sectors to its load
; segment (07C0h when 0) and enters it with DL = 00h. From then on INT 13h on drive 00h
; reads the image: 00h, 04h, 16h succeed, 01h the last status, 02h reads, 03h and 05h are
; "write protected" (03h), 08h gives the emulated geometry, 15h type 02h, and 4Bh returns
; (4B01h) or returns and ends (4B00h) the emulation with the specification packet (section
; 5.3), which is also what 4B01h on the CD drive E0h returns.
;
; A 512-byte virtual sector is a quarter of a 2048-byte CD sector: each is read by READ(10)
; of its CD sector by PIO, keeping only the wanted 512 bytes (the rest of the data block is
; read and dropped, so no 2 KiB bounce buffer is needed).
; Not here: hard disk emulation (media type 4), the real diskette drives moving up to 01h
; while the emulation is active (a real drive 00h cannot be reached then), section entries.

CDFD_TYPE       equ     0x1E0           ; in the EBDA: the emulated media type (0 = none)
CDFD_SPT        equ     0x1E1           ; sectors per track
CDFD_LBA        equ     0x1E4           ; dword: the image's first CD sector
CDFD_GS         equ     -6              ; the caller's GS, in the INT 13h scratch

; cdfd_boot: entered (by a jump from cd_boot) with ES:0 = the boot catalog, GS = EBDA; returns
; to cd_boot's caller only if it could not boot.
cdfd_boot:
        mov     al, [es:0x21]
        and     al, 0x0F
        mov     si, msg_cdfd_hd
        cmp     al, 3
        ja      .msg
        mov     ah, 15
        cmp     al, 1
        je      .spt
        mov     ah, 18
        cmp     al, 2
        je      .spt
        mov     ah, 36
.spt:   mov     [gs:CDFD_SPT], ah
        mov     [gs:CDFD_TYPE], al
        mov     edx, [es:0x28]
        mov     [gs:CDFD_LBA], edx
        mov     cx, [es:0x26]           ; virtual sectors to load
        mov     bx, [es:0x22]
        test    bx, bx
        jnz     .seg
        mov     bx, 0x07C0
.seg:   ; the specification packet (El Torito 5.3)
        mov     byte [gs:CD_SPEC], 0x13
        mov     [gs:CD_SPEC + 1], al                    ; media type
        mov     byte [gs:CD_SPEC + 2], 0x00             ; the emulated drive
        mov     ax, [gs:CD_PORT]
        cmp     ax, 0x1F0
        setne   al
        mov     [gs:CD_SPEC + 3], al
        mov     [gs:CD_SPEC + 4], edx
        mov     al, [gs:CD_DEV]
        shr     al, 4
        and     al, 1
        xor     ah, ah
        mov     [gs:CD_SPEC + 8], ax
        mov     word [gs:CD_SPEC + 10], 0
        mov     [gs:CD_SPEC + 12], bx
        mov     [gs:CD_SPEC + 14], cx
        mov     byte [gs:CD_SPEC + 16], 79              ; last cylinder
        mov     al, [gs:CDFD_SPT]
        mov     [gs:CD_SPEC + 17], al                   ; sectors per track (cylinder bits 9-8: 0)
        mov     byte [gs:CD_SPEC + 18], 1               ; last head
        ; load the virtual sectors
        test    cx, cx
        jnz     .load
        inc     cx                      ; a count of 0: the boot sector
.load:  xor     eax, eax
        mov     es, bx
        xor     di, di
.sector:
        call    cdfd_read
        jc      .failed
        mov     di, es
        add     di, 0x20
        mov     es, di
        xor     di, di
        inc     eax
        loop    .sector
        mov     byte [gs:CD_BOOTED], 1
        push    ds
        mov     ax, BDA_SEG
        mov     ds, ax
        or      byte [0x10], 0x01       ; a diskette drive is there
        pop     ds
        mov     si, msg_cdfd
        call    print
        mov     dl, 0x00
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        push    bx
        push    ax
        retf
.failed:
        mov     byte [gs:CDFD_TYPE], 0
        mov     si, msg_cdfd_read
.msg:   call    print
        ret

msg_cdfd:       db      "El Torito floppy emulation: drive 00h", 13, 10, 0
msg_cdfd_read:  db      "Boot failed: could not read the emulated floppy", 13, 10, 0
msg_cdfd_hd:    db      "Boot failed: El Torito hard disk emulation is not supported", 13, 10, 0

; cdfd_read: EAX = a 512-byte sector of the image -> ES:DI (512 bytes), GS = EBDA. READ(10) of
; its CD sector with a byte count limit of 2048 (ATA/ATAPI-6 9.10 PACKET, by PIO). CF set on
; an error or time-out. Keeps every register but the flags.
cdfd_read:
        push    eax
        push    ebx
        push    ecx
        push    edx
        push    si
        push    bp
        push    di
        mov     bp, ax
        and     bp, 3
        shl     bp, 8                   ; the first wanted word of the 1024
        mov     edx, eax
        shr     edx, 2
        add     edx, [gs:CDFD_LBA]
        bswap   edx
        sub     sp, 12
        mov     si, sp
        mov     dword [ss:si], 0x0028                   ; READ(10)
        mov     [ss:si + 2], edx                        ; LBA, big-endian
        mov     dword [ss:si + 6], 0x00010000           ; transfer length 1 (bytes 7-8, big-endian)
        mov     word [ss:si + 10], 0
        mov     bx, [gs:CD_PORT]
        call    ata_wait_busy
        jc      .fail
        lea     dx, [bx + 6]
        mov     al, [gs:CD_DEV]
        out     dx, al
        call    ata_wait_busy
        jc      .fail
        lea     dx, [bx + 1]
        xor     al, al                  ; features: PIO
        out     dx, al
        lea     dx, [bx + 4]
        out     dx, al                  ; byte count limit 0800h
        inc     dx
        mov     al, 0x08
        out     dx, al
        lea     dx, [bx + 7]
        mov     al, 0xA0                ; PACKET
        out     dx, al
        call    ata_wait_drq
        jc      .fail
        mov     dx, bx
        mov     cx, 6
.packet:
        mov     ax, [ss:si]
        out     dx, ax
        add     si, 2
        loop    .packet
        xor     si, si                  ; words received
.block: call    ata_wait_busy
        jc      .fail
        test    al, 0x01
        jnz     .fail
        test    al, 0x08
        jz      .done
        lea     dx, [bx + 4]
        in      al, dx
        mov     cl, al
        inc     dx
        in      al, dx
        mov     ch, al
        inc     cx
        shr     cx, 1                   ; words in this block
        jcxz    .fail
        mov     dx, bx
.word:  in      ax, dx
        push    si
        sub     si, bp
        cmp     si, 256
        pop     si
        jae     .drop
        stosw
.drop:  inc     si
        loop    .word
        jmp     .block
.done:  lea     ax, [bp + 256]
        cmp     si, ax
        jb      .fail
        xor     ax, ax
        jmp     .ret
.fail:  mov     ax, 1
.ret:   add     sp, 12
        pop     di
        pop     bp
        pop     si
        pop     edx
        pop     ecx
        pop     ebx
        bt      ax, 0                   ; CF = failed
        pop     eax
        ret

; ---- INT 13h on the emulated drive 00h (from floppy_int13: frame at BP, DS = BDA) ----

cdfd_int13:
        mov     [bp + CDFD_GS], gs
        mov     gs, [cs:ebda_seg]
        mov     ah, [bp + F_EAX + 1]
        cmp     ah, 0x02
        je      .read
        cmp     ah, 0x08
        je      .params
        cmp     ah, 0x4B
        je      .spec
        cmp     ah, 0x01
        je      .status
        xor     al, al
        cmp     ah, 0x15
        je      .type
        cmp     ah, 0x03
        je      .wp
        cmp     ah, 0x05
        je      .wp
        cmp     ah, 0x00
        je      .exit
        cmp     ah, 0x04
        je      .exit
        cmp     ah, 0x16
        je      .exit
        mov     ah, 0x01
        jmp     .exit
.wp:    mov     ah, 0x03
        jmp     .exit
.status:
        mov     ah, [FD_STATUS]
        jmp     .exit
.type:  mov     ah, 0x02
        mov     gs, [bp + CDFD_GS]
        jmp     fd_fn_type.set

.read:  ; LBA = (C * 2 + H) * spt + S - 1, for AL sectors to ES:BX
        mov     al, [bp + F_EAX]
        mov     [bp + FD_COUNT], al
        mov     byte [bp + F_EAX], 0
        movzx   ecx, byte [bp + F_ECX]
        and     cl, 0x3F
        jz      .bad
        test    al, al
        jz      .bad
        movzx   eax, byte [bp + F_ECX + 1]
        add     ax, ax
        mov     dl, [bp + F_EDX + 1]
        and     dl, 1
        or      al, dl
        movzx   edx, byte [gs:CDFD_SPT]
        imul    eax, edx
        dec     cx
        add     eax, ecx
        movzx   ecx, byte [bp + FD_COUNT]
        lea     edx, [eax + ecx]
        movzx   esi, byte [gs:CDFD_SPT]
        imul    esi, esi, 160           ; 80 cylinders, 2 heads
        cmp     edx, esi
        ja      .not_found
        mov     es, [bp + F_ES]
        mov     di, [bp + F_EBX]
.sector:
        mov     si, di                  ; ES:DI normalised so 512 bytes never wrap the offset
        shr     si, 4
        mov     dx, es
        add     dx, si
        mov     es, dx
        and     di, 0x0F
        call    cdfd_read
        jc      .error
        add     di, 512
        inc     eax
        inc     byte [bp + F_EAX]
        loop    .sector
        xor     ah, ah
        jmp     .exit
.error: mov     ah, 0x20
        jmp     .exit
.not_found:
        mov     ah, 0x04
        jmp     .exit
.bad:   mov     ah, 0x01
        jmp     .exit

.params:
        ; the emulated drive's type (1.2M: 2, 1.44M: 4, 2.88M: 5) and geometry
        movzx   si, byte [gs:CDFD_TYPE]
        mov     al, [cs:cdfd_cmos_type + si]
        mov     [bp + F_EBX], al
        mov     byte [bp + F_EBX + 1], 0
        mov     byte [bp + F_ECX + 1], 79
        mov     al, [gs:CDFD_SPT]
        mov     [bp + F_ECX], al
        mov     byte [bp + F_EDX + 1], 1
        mov     al, [0x10]              ; the diskette count from the equipment word
        shr     al, 6
        inc     al
        mov     [bp + F_EDX], al
        movzx   si, byte [bp + F_EBX]
        add     si, si
        mov     ax, [cs:fd_type_table + si]
        mov     [bp + F_EDI], ax
        mov     [bp + F_ES], cs
        mov     byte [bp + F_EAX], 0
        xor     ah, ah
        jmp     .exit

.spec:  ; 4B00h: the packet, and the emulation ends; 4B01h: the packet
        mov     al, [bp + F_EAX]
        cmp     al, 0x01
        ja      .bad
        mov     es, [bp + F_DS]
        mov     di, [bp + F_ESI]
        mov     si, CD_SPEC
        mov     cx, 0x13
.copy:  mov     dl, [gs:si]
        mov     [es:di], dl
        inc     si
        inc     di
        loop    .copy
        test    al, al
        jnz     .ok
        mov     byte [gs:CDFD_TYPE], 0
.ok:    xor     ah, ah
.exit:  mov     gs, [bp + CDFD_GS]
        jmp     fd_exit

cdfd_cmos_type: db      0, 2, 4, 5
